// Package auth verifies credentials and turns them into facts about the
// caller. It decides; it never reads HTTP headers (the HTTP layer extracts
// them) and never chooses a tenant from anything but a verified credential.
package auth
