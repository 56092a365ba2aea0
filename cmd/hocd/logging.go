package main

import (
	"context"
	"io"
	"log/slog"
	"os"

	spine "hoc/l4_spine"
)

// newLogger returns the process logger: text on a terminal, JSON otherwise,
// unless format says which; at level (debug, info, warn or error; empty is
// info, and validate refuses anything else). Every line logged with a
// request's context names the request (see requestIDs).
func newLogger(format, level string, w io.Writer) *slog.Logger {
	var opts slog.HandlerOptions
	var l slog.Level
	if l.UnmarshalText([]byte(level)) == nil {
		opts.Level = l
	}
	if format == "" {
		format = "json"
		if f, ok := w.(*os.File); ok && isTerminal(f) {
			format = "text"
		}
	}
	if format == "text" {
		return slog.New(requestIDs{slog.NewTextHandler(w, &opts)})
	}
	return slog.New(requestIDs{slog.NewJSONHandler(w, &opts)})
}

// isTerminal reports whether f is a terminal (a character device).
func isTerminal(f *os.File) bool {
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// requestIDs adds the request id the context carries to every record that
// does not name one yet, so that a line logged deep below the HTTP layer (a
// slow statement in L6, which may not know the spine) still says which
// request it belongs to (SPEC §1.2). It is wired here, at the composition
// root, the one place that may know both slog's handler and the spine.
type requestIDs struct{ slog.Handler }

func (h requestIDs) Handle(ctx context.Context, r slog.Record) error {
	if id := spine.RequestID(ctx); id != "" {
		named := false
		r.Attrs(func(a slog.Attr) bool {
			named = a.Key == "request_id"
			return !named
		})
		if !named {
			r.AddAttrs(slog.String("request_id", id))
		}
	}
	return h.Handler.Handle(ctx, r)
}

func (h requestIDs) WithAttrs(attrs []slog.Attr) slog.Handler {
	return requestIDs{h.Handler.WithAttrs(attrs)}
}

func (h requestIDs) WithGroup(name string) slog.Handler { return requestIDs{h.Handler.WithGroup(name)} }
