// Command hocd is hoc's server and operator CLI, and the composition root:
// the only package that imports every layer and binds the ports each layer
// declares to the packages that implement them.
//
// `hocd help` lists the commands; `hocd help <command>` (or --help) gives
// each one's flags and examples. Every command reads the HOC_* environment
// variables, which its flags override. Commands print exactly one JSON
// document on stdout, except `token founder` (the bare token), `doctor`
// without --json (a report for people), `bench` without --json (a table)
// and `completion` (a shell script); logs go to stderr.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes the command line and returns the exit code: 0 on success
// (and for help), 2 for a command line hocd cannot run (an unknown command
// or flag, a missing or invalid argument), 1 when the command failed.
func run(args []string, stdout, stderr io.Writer) int {
	cfg := defaultConfig()
	root := newRootCmd(&cfg, stdout, stderr)
	root.SetArgs(args)
	cmd, err := root.ExecuteC()
	if err == nil {
		return 0
	}
	fmt.Fprintln(stderr, "hocd:", err)
	if errors.As(err, new(usageError)) {
		fmt.Fprintf(stderr, "\n%s", cmd.UsageString())
		return 2
	}
	return 1
}

// usageError is a command line hocd cannot run; run prints the command's
// usage after it and exits 2.
type usageError struct{ error }

func usageErrorf(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// newRootCmd is the command tree. Flags write into cfg, which holds the
// built-in defaults until a command runs; then the environment fills every
// setting whose flag was not given.
func newRootCmd(cfg *Config, stdout, stderr io.Writer) *cobra.Command {
	serve := newServeCmd(cfg, stderr)
	root := &cobra.Command{
		Use:   "hocd",
		Short: "hoc: LLM usage telemetry, request protection and session context for the customer dashboard",
		Long: `hocd is hoc's server and operator CLI.

With no command it runs the server (hocd serve). The other commands work
directly on the configured database, for bootstrap and operations (report
sends records to a running server instead), and print one JSON document on
stdout (doctor and bench a report for people, unless --json). Every
setting is an environment variable
(HOC_DATABASE_URL, HOC_FOUNDER_SECRET, ...; see hocd serve --help), which a
flag of the same meaning overrides.`,
		Args:          noCommand,
		RunE:          serve.RunE,
		SilenceErrors: true,
		SilenceUsage:  true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if err := cfg.applyEnv(cmd.Flags().Changed); err != nil {
				return err
			}
			return requiredFlags(cmd)
		},
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.PersistentFlags().StringVar(&cfg.DatabaseURL, "database-url", cfg.DatabaseURL,
		"sqlite:<path> or postgres://... ($HOC_DATABASE_URL)")
	root.AddCommand(
		serve,
		newMigrateCmd(cfg, stdout, stderr),
		newDoctorCmd(cfg, stdout),
		newOpsCmd(cfg, stdout, stderr),
		newTenantsCmd(cfg, stdout, stderr),
		newIntegrationsCmd(cfg, stdout, stderr),
		newAPIKeysCmd(cfg, stdout, stderr),
		newTokenCmd(cfg, stdout, stderr),
		newBenchCmd(cfg, stdout, stderr),
		newReportCmd(cfg, stdout, stderr),
		newVersionCmd(stdout),
	)
	// --version prints what `hocd version` prints: one JSON document.
	version, err := json.Marshal(readBuildVersion())
	if err != nil {
		panic(err) // a struct of strings and a bool always encodes
	}
	root.Version = string(version)
	root.SetVersionTemplate("{{.Version}}\n")
	return root
}

// group is a command that only holds subcommands: run alone, or with an
// unknown subcommand, it is a usage error.
func group(use, short string, subs ...*cobra.Command) *cobra.Command {
	c := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  noCommand,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usageErrorf("%s needs a command", cmd.CommandPath())
		},
	}
	c.AddCommand(subs...)
	return c
}

// noCommand refuses arguments: to a command with subcommands an argument
// is an unknown command, which cobra alone would let through.
func noCommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		msg += "; did you mean " + strings.Join(s, " or ") + "?"
	}
	return usageError{errors.New(msg)}
}

// noArgs refuses positional arguments.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageErrorf("%s takes no arguments, got %q", cmd.CommandPath(), args)
	}
	return nil
}

// exactArgs wants n positional arguments, named in the usage line.
func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usageErrorf("%s takes %d argument(s), got %d", cmd.CommandPath(), n, len(args))
		}
		return nil
	}
}

// required marks flags that must be given; requiredFlags checks them before
// any other validation, so the error names only what is missing.
func required(c *cobra.Command, names ...string) {
	for _, n := range names {
		if err := c.MarkFlagRequired(n); err != nil {
			panic(err) // a flag name typo in this package
		}
	}
}

func requiredFlags(cmd *cobra.Command) error {
	var missing []string
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if _, ok := f.Annotations[cobra.BashCompOneRequiredFlag]; ok && !f.Changed {
			missing = append(missing, "--"+f.Name)
		}
	})
	if len(missing) > 0 {
		return usageErrorf("missing %s", strings.Join(missing, ", "))
	}
	return nil
}

// inRange checks a numeric flag: a usage error naming the flag unless
// lo <= n <= hi.
func inRange(name string, n, lo, hi int) error {
	if n < lo || n > hi {
		return usageErrorf("--%s must be between %d and %d, not %d", name, lo, hi, n)
	}
	return nil
}
