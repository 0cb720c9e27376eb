package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Watcher is implemented by stores that several processes share: Watch
// tells one process about the changes any of them makes, so it can drop
// what it derived from the old hook (compiled programs, warm runtimes).
type Watcher interface {
	// Watch calls changed with the id of each hook created, changed
	// (secrets included) or deleted, by this process or another, until ctx
	// ends or the store is closed; it then returns nil, or the error that
	// stopped it. Calls to changed are made one at a time, on Watch's
	// goroutine. A hook may be reported more than once for one change.
	Watch(ctx context.Context, changed func(hookID string)) error
}

// ReadyWatcher is a Watcher that says when it has started: WatchReady is
// Watch, calling ready (once, on Watch's goroutine) as soon as every change
// made from then on is sure to be reported. A process that caches what it
// derives from hooks waits for ready before it serves, so a change made
// between its start and the watcher's first look is not missed.
type ReadyWatcher interface {
	Watcher
	WatchReady(ctx context.Context, changed func(hookID string), ready func()) error
}

var _ ReadyWatcher = (*Postgres)(nil)

// Watch implements Watcher. It listens on the channel hookengine_hooks on a
// connection of its own, and also compares every hook's version with the
// last it saw every PollInterval and whenever it (re)connects, so a change
// made while the connection was lost is reported too, PollInterval later at
// the most. When the connection is lost it reconnects, retrying every
// PollInterval.
func (s *Postgres) Watch(ctx context.Context, changed func(hookID string)) error {
	return s.WatchReady(ctx, changed, nil)
}

// WatchReady implements ReadyWatcher: ready is called once Watch has read
// every hook's version; changes made from then on are compared with it.
// When the versions cannot be read, ready is called after the first
// attempt all the same, and changes made before the first successful
// reading are not reported.
func (s *Postgres) WatchReady(ctx context.Context, changed func(hookID string), ready func()) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(s.life, cancel)
	defer stop()
	seen, _ := s.versions(ctx) // a failure leaves seen nil: the next poll reports nothing, then fills it
	if ready != nil {
		ready()
	}
	poll := func() {
		now, err := s.versions(ctx)
		if err != nil {
			return
		}
		if seen != nil {
			for id, v := range now {
				if seen[id] != v {
					changed(id)
				}
			}
			for id := range seen {
				if _, ok := now[id]; !ok {
					changed(id)
				}
			}
		}
		seen = now
	}
	prefix := s.schema + "/"
	for ctx.Err() == nil {
		conn, err := s.listen(ctx)
		if err != nil {
			if !sleepCtx(ctx, s.pollInterval) {
				break
			}
			poll()
			continue
		}
		poll() // what changed while no one listened
		for ctx.Err() == nil {
			wctx, wcancel := context.WithTimeout(ctx, s.pollInterval)
			n, err := conn.WaitForNotification(wctx)
			wcancel()
			if err != nil {
				if ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) && !conn.IsClosed() {
					poll()
					continue
				}
				break // connection lost: reconnect
			}
			if id, ok := strings.CutPrefix(n.Payload, prefix); ok {
				changed(id)
			}
		}
		closeCtx, c := context.WithTimeout(context.Background(), time.Second)
		_ = conn.Close(closeCtx)
		c()
	}
	return nil
}

// listen opens a connection of its own listening on the channel.
func (s *Postgres) listen(ctx context.Context) (*pgx.Conn, error) {
	conn, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig)
	if err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, `LISTEN `+pgx.Identifier{notifyChannel}.Sanitize()); err != nil {
		_ = conn.Close(context.WithoutCancel(ctx))
		return nil, err
	}
	return conn, nil
}

// versions returns every hook's version by id.
func (s *Postgres) versions(ctx context.Context) (map[string]int64, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, version FROM hooks`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var (
			id string
			v  int64
		)
		if err := rows.Scan(&id, &v); err != nil {
			return nil, err
		}
		out[id] = v
	}
	return out, rows.Err()
}

// sleepCtx waits d, or less if ctx ends first; it reports whether ctx is
// still alive.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
