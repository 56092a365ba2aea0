package main

import (
	"io"
	"log/slog"
	"os"
)

// newLogger returns the process logger: text on a terminal, JSON otherwise,
// unless format says which; at level (debug, info, warn or error; empty is
// info, and validate refuses anything else).
func newLogger(format, level string, w io.Writer) *slog.Logger {
	var opts slog.HandlerOptions
	var l slog.Level
	if l.UnmarshalText([]byte(level)) == nil {
		opts.Level = l
	}
	if format == "" {
		format = "json"
		if f, ok := w.(*os.File); ok {
			if info, err := f.Stat(); err == nil && info.Mode()&os.ModeCharDevice != 0 {
				format = "text"
			}
		}
	}
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, &opts))
	}
	return slog.New(slog.NewJSONHandler(w, &opts))
}
