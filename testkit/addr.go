package testkit

import (
	"fmt"
	"net"
	"testing"
)

// FreeAddr returns a loopback address whose port was free a moment ago and
// that nothing listens on now: for a server the test starts there, or for a
// dependency that must refuse connections.
func FreeAddr(t testing.TB) string {
	t.Helper()
	addr, err := PickFreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	return addr
}

// PickFreeAddr is FreeAddr for a goroutine other than the test's: it
// returns its error instead of failing the test.
func PickFreeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		return "", fmt.Errorf("free %s again: %w", addr, err)
	}
	return addr, nil
}
