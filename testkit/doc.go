// Package testkit holds the helpers that tests of every layer share: waiting
// for a condition in real time (WaitFor), a log buffer that any goroutine
// may write and the test may read as JSON lines (LockedBuffer), a clock the
// test moves by hand (Clock), a transport that lets an HTTP client reach a
// handler without a socket (HandlerTransport, for testing/synctest), a free
// loopback address (FreeAddr), and closing with the error checked (Close,
// CloseAtEnd).
//
// It sits outside the layers so that a test anywhere may use it, which is
// safe because it is a leaf and only tests reach it: archtest fails the
// build when testkit imports a package of the project, or when a file that
// is not a _test.go file imports testkit.
//
// Seeding a database is not here: it needs gorm models, which only L6 may
// see, so it lives in l6_drivers/db/dbtest.
package testkit
