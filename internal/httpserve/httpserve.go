// Package httpserve runs the daemon's small HTTP servers (catalogs, console, ops endpoints) the
// same way: until the context ends, then a graceful shutdown with requests in flight given
// five seconds.
package httpserve

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// Serve answers on ln with srv until ctx ends. name prefixes the error of a server that stops
// by itself.
func Serve(ctx context.Context, name string, srv *http.Server, ln net.Listener) error {
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("%s: %w", name, err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	err := srv.Shutdown(sctx)
	if serr := <-done; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	if err != nil {
		return fmt.Errorf("%s shutdown: %w", name, err)
	}
	return nil
}
