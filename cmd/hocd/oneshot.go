package main

import (
	"context"
	"encoding/json"
	"flag"
	"io"
	"os/user"

	"go.uber.org/fx"

	spine "hoc/l4_spine"
)

// oneShot starts the core graph (which applies migrations), runs fn with the
// targets fx populated and a context carrying the CLI operator as the actor,
// and stops the graph again.
func oneShot(cfg Config, stderr io.Writer, fn func(ctx context.Context) error, targets ...any) error {
	if err := cfg.validate(); err != nil {
		return err
	}
	log := newLogger(cfg.LogFormat, cfg.LogLevel, stderr)
	app := fx.New(core(cfg, log), fx.Populate(targets...))
	if err := app.Err(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	if err := app.Start(ctx); err != nil {
		return err
	}
	runErr := fn(spine.WithActor(ctx, cliActor()))
	stopErr := app.Stop(context.Background())
	if runErr != nil {
		return runErr
	}
	return stopErr
}

// cliActor is the operator at the terminal. Whoever can run hocd against the
// database already has the platform, so the CLI acts as a founder; the audit
// log names the operating system user.
func cliActor() spine.Actor {
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	return spine.Actor{Type: spine.ActorFounder, ID: "cli:" + name, Credential: spine.CredentialCLI}
}

// printJSON writes v as one indented JSON document.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// newFlags returns a flag set that also accepts --database-url, so a command
// can be pointed at a database without the environment.
func newFlags(name string, cfg *Config, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.DatabaseURL, "database-url", cfg.DatabaseURL, "sqlite:<path> or postgres://... ($HOC_DATABASE_URL)")
	return fs
}
