// Command hocd is hoc's server and operator CLI, and the composition root:
// the only package that imports every layer and binds the ports each layer
// declares to the packages that implement them.
//
//	hocd [serve]                 run the HTTP server (default)
//	hocd migrate                 apply database migrations and exit
//	hocd ops                     print the operation registry listing
//	hocd tenants create|get|list|lifecycle|onboarding  manage tenants
//	hocd integrations create     create an integration and print its key once
//	hocd apikeys create|revoke|freeze  manage machine API keys
//	hocd token founder           mint a founder token
//
// Every command reads the HOC_* environment variables; commands other than
// `token founder` print exactly one JSON document on stdout, logs go to
// stderr.
package main

import (
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// command is one CLI subcommand.
type command struct {
	name  string
	usage string
	run   func(cfg Config, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"serve", "run the HTTP server (default)", runServe},
		{"migrate", "apply database migrations and exit", runMigrate},
		{"ops", "print the operation registry listing as JSON", runOps},
		{"tenants", "tenants create|get|list|lifecycle|onboarding", runTenants},
		{"integrations", "integrations create --tenant ID --name N ...", runIntegrations},
		{"apikeys", "apikeys create|revoke|freeze", runAPIKeys},
		{"token", "token founder --sub S --reason R [--ttl 1h]", runToken},
		{"bench", "bench [--records N] [--clients 64] [--batch-clients 8] [--duration 10s] [--json]", runBench},
	}
}

// run executes the command line and returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	cfg, err := configFromEnv()
	if err != nil {
		fmt.Fprintln(stderr, "hocd:", err)
		return 2
	}
	name := "serve"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		name, args = args[0], args[1:]
	}
	for _, c := range commands() {
		if c.name == name {
			if err := c.run(cfg, args, stdout, stderr); err != nil {
				fmt.Fprintln(stderr, "hocd:", err)
				return 1
			}
			return 0
		}
	}
	fmt.Fprintf(stderr, "hocd: unknown command %q\n\ncommands:\n", name)
	for _, c := range commands() {
		fmt.Fprintf(stderr, "  %-8s %s\n", c.name, c.usage)
	}
	return 2
}
