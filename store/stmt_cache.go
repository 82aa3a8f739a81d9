package store

import (
	"context"
	"database/sql"
)

// The SQLite writer's prepared statements, kept across transactions.

// stmtCache keeps the writer connection's prepared statements: parsing
// SQL again for every redemption would cost more than running it.
type stmtCache struct {
	conn *sql.Conn
	m    map[string]*sql.Stmt
}

// maxCachedQuery leaves out the long generated statements (issuance's
// multi-row inserts), which are not worth keeping.
const maxCachedQuery = 2048

func (c *stmtCache) get(ctx context.Context, query string) *sql.Stmt {
	if c == nil || len(query) > maxCachedQuery {
		return nil
	}
	if st, ok := c.m[query]; ok {
		return st
	}
	st, err := c.conn.PrepareContext(ctx, query)
	if err != nil {
		return nil // run unprepared: the error, if any, surfaces there
	}
	c.m[query] = st
	return st
}

func (c *stmtCache) close() {
	for _, st := range c.m {
		st.Close()
	}
	c.m = map[string]*sql.Stmt{}
}
