package db

import (
	"database/sql"
	"log/slog"
	"sync"
	"time"
)

// checkpointer copies SQLite's write-ahead log back into the database file from a connection of
// its own, so that commits never wait for it. It runs a PASSIVE checkpoint (which never blocks
// the writer or readers) a few times a second; the writer restarts the log from its beginning
// once a checkpoint has caught up. Should it fall behind (the writer seldom leaves the log idle),
// the writer checkpoints itself past 64 MiB of log (wal_autocheckpoint in db.go).
type checkpointer struct {
	conn *sql.DB
	stop chan struct{}
	done chan struct{}
	once sync.Once
}

const checkpointEvery = 200 * time.Millisecond

func startCheckpointer(dsn string) (*checkpointer, error) {
	conn, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	conn.SetMaxOpenConns(1)
	conn.SetConnMaxLifetime(0)
	if err := conn.Ping(); err != nil {
		conn.Close()
		return nil, err
	}
	c := &checkpointer{conn: conn, stop: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c, nil
}

func (c *checkpointer) run() {
	defer close(c.done)
	tick := time.NewTicker(checkpointEvery)
	defer tick.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-tick.C:
			var busy, logFrames, done int
			if err := c.conn.QueryRow("PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &logFrames, &done); err != nil {
				slog.Warn("sqlite checkpoint", "err", err)
				continue
			}

		}
	}
}

// close stops the checkpointer; closing it again does nothing.
func (c *checkpointer) close() error {
	var err error
	c.once.Do(func() {
		close(c.stop)
		<-c.done
		err = c.conn.Close()
	})
	return err
}
