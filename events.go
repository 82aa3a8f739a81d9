package passnum

// Events hears what the product did, once it is committed: the server
// counts it for its metrics. Implementations must be cheap and safe for
// concurrent use; they never change what happens.
type Events interface {
	// Redeemed: passes redeemed together for one training, worth cents.
	Redeemed(passes int, cents int64)
	// Settled: a settlement made, with its paid and held-back lines and the
	// amount to transfer.
	Settled(lines, heldBack int, cents int64)
	// Refused: an attempt refused by a limit (Limit.Kind: a sign-in, a
	// second factor, a reset link…), told by the store where the limit
	// decides, whichever path asked; or by busy password hashing ("busy"),
	// told by the pages.
	Refused(kind string)
}

// NoEvents hears nothing: the default where nobody counts.
type NoEvents struct{}

func (NoEvents) Redeemed(int, int64)     {}
func (NoEvents) Settled(int, int, int64) {}
func (NoEvents) Refused(string)          {}

// SettledEvent tells ev of a settlement a run made (nothing when it found
// nothing new and gave back an existing one).
func SettledEvent(ev Events, s Settlement) {
	if !s.Created {
		return
	}
	lines, held := 0, 0
	for _, l := range s.Lines {
		if l.HeldBack {
			held++
		} else {
			lines++
		}
	}
	ev.Settled(lines, held, s.TotalCents)
}
