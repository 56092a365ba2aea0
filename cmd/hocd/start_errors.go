package main

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"go.uber.org/dig"

	"hoc/l6_drivers/db"
)

// graphError is the one line a command prints when its fx graph cannot be
// built or started. fx reports the whole chain of constructors that needed
// the failing one, with Go file paths (957 characters for a database that
// is down); an operator needs what failed and what to do, as doctor says it.
func graphError(cfg Config, err error) error {
	if err == nil {
		return nil
	}
	if errors.As(err, new(*db.UnavailableError)) {
		detail, fix := databaseProblem(cfg.DatabaseURL, err)
		return fmt.Errorf("%s; %s (hocd doctor checks the whole configuration)", detail, fix)
	}
	return dig.RootCause(err)
}

// databaseProblem says why the database at rawURL could not be used, and
// what fixes it: the server refused or is not there, or it is there and the
// database or the role named in the URL is not.
func databaseProblem(rawURL string, err error) (detail, fix string) {
	detail = "cannot reach " + redactedURL(rawURL) + ": " + plainDBError(err)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// The client tools' options for the server and role of the URL.
		var host, user, database string
		if u, perr := url.Parse(rawURL); perr == nil {
			host, user, database = u.Hostname(), u.User.Username(), strings.TrimPrefix(u.Path, "/")
		}
		opts := ""
		if host != "" {
			opts += " -h " + host
		}
		switch {
		case pgErr.Code == "3D000": // invalid_catalog_name
			if user != "" {
				opts += " -U " + user
			}
			return detail, fmt.Sprintf("create the database: createdb%s %s (or CREATE DATABASE %q as a superuser)", opts, database, database)
		case pgErr.Code == "28000" && strings.Contains(pgErr.Message, "role"): // invalid_authorization_specification
			return detail, fmt.Sprintf("create the role: createuser%s %s (or CREATE ROLE %q LOGIN as a superuser), or name one that exists in HOC_DATABASE_URL",
				opts, user, user)
		case pgErr.Code == "28P01": // invalid_password
			return detail, "put the role's password in HOC_DATABASE_URL (postgres://user:password@host/db)"
		case pgErr.Code == "28000":
			return detail, "allow this client in the server's pg_hba.conf, or connect as a role it allows"
		}
	}
	return detail, "start the database server, or point HOC_DATABASE_URL at one that is running"
}
