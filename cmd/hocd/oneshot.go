package main

import (
	"context"
	"encoding/json"
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
	// A one-shot command's answer is its JSON; info lines ("database
	// migrated") would only clutter the terminal.
	level := cfg.LogLevel
	if level == "" {
		level = "warn"
	}
	log := newLogger(cfg.LogFormat, level, stderr)
	app := fx.New(core(cfg, log), fx.Populate(targets...))
	if err := app.Err(); err != nil {
		return graphError(cfg, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	if err := app.Start(ctx); err != nil {
		return graphError(cfg, err)
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

// printJSON writes v as one compact JSON document and a newline, encoded as
// the API encodes its bodies (no HTML escaping), so that scripts read the
// CLI and the API alike.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
