package server

import (
	"net/http"
	"runtime"
	"sync/atomic"
)

// lanes keeps redemptions moving when the server is saturated. A place
// redeems a pass with the young person in front of it, after the training:
// that answer must come at once, whatever else the server is doing. Page
// views, dashboards, exports, hand-outs and sign-ins share the "general"
// lane, which admits a bounded number of requests at a time; the others
// wait at the door, in arrival order. The routes marked Urgent where they
// are declared (api.route, web.page: checking and redeeming a pass) and the
// health checks go straight through: they are short, and a load balancer
// must not see the server as dead because its pages are busy.
//
// Without the bound, every request in flight shares the processors and
// the database's single writer alike, and at 64 clients a redemption
// queued behind page rendering and hand-outs waited hundreds of
// milliseconds (BENCHMARKS.md, "The load test").
type lanes struct {
	general chan struct{}
	urgent  func(*http.Request) bool // true: the request skips the general lane
	waiting atomic.Int64             // requests waiting for a general slot
	inside  atomic.Int64             // requests holding one
}

// defaultGeneralSlots is the general lane's width: one request per
// processor, at least two. The Go scheduler has no priorities: every
// general request running beside a redemption takes its turns on the
// processors, and the writer goroutine a redemption waits on takes its
// turns with them. Measured at 64 clients on SQLite, two processors
// (BENCHMARKS.md, "The lane's width, measured again"): a redemption's p99
// was 27 to 31 ms with 2 slots, 36 to 41 ms with 3 and 55 to 70 ms with
// 4, the total rate the same within the runs' spread. Behind a reverse
// proxy that buffers answers (see docs/deployment.md), a slow client does
// not hold a slot while it reads.
func defaultGeneralSlots() int { return max(2, runtime.GOMAXPROCS(0)) }

func newLanes(slots int, urgent func(*http.Request) bool) *lanes {
	if slots <= 0 {
		slots = defaultGeneralSlots()
	}
	return &lanes{general: make(chan struct{}, slots), urgent: urgent}
}

// urgentByPattern tells a request urgent when the mux routes it to one of
// the patterns: the lane follows the routing itself, so a path renamed or
// a method added cannot leave a redemption in the general lane.
func urgentByPattern(mux *http.ServeMux, patterns []string) func(*http.Request) bool {
	set := make(map[string]bool, len(patterns))
	for _, p := range patterns {
		set[p] = true
	}
	return func(r *http.Request) bool {
		_, pattern := mux.Handler(r)
		return set[pattern]
	}
}

// wrap admits each request to its lane. A request that gives up while it
// waits (the client left) is answered 503 and never reaches a handler.
func (l *lanes) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if l.urgent != nil && l.urgent(r) {
			next.ServeHTTP(w, r)
			return
		}
		select {
		case l.general <- struct{}{}:
		default:
			l.waiting.Add(1)
			select {
			case l.general <- struct{}{}:
				l.waiting.Add(-1)
			case <-r.Context().Done():
				l.waiting.Add(-1)
				http.Error(w, "Serveur occupé : réessayez dans un instant.", http.StatusServiceUnavailable)
				return
			}
		}
		l.inside.Add(1)
		defer func() {
			l.inside.Add(-1)
			<-l.general
		}()
		next.ServeHTTP(w, r)
	})
}
