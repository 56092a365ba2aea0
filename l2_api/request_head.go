package api

import (
	"bytes"

	"github.com/gofiber/fiber/v2"

	"hoc/l5_engines/fault"
)

// maxHeadBytes is the largest request head (request line and header
// fields) the server reads: long enough for real OIDC tokens and query
// strings (SPEC §1.3 asks for at least 16 KiB). A larger head is 431.
const maxHeadBytes = 32 << 10

// maxTargetBytes is the longest request target (path and query) accepted;
// a longer one that still fits in the head is 414.
const maxTargetBytes = 16 << 10

var errAmbiguousFraming = fault.InvalidRequest("the request head is malformed: ambiguous framing or invalid bytes")

// checkHead refuses a request whose head a proxy in front of hoc could read
// differently from hoc, and closes the connection so that no byte after it
// is read as another request (RFC 9112 §6.3, §2.2):
//   - Content-Length together with Transfer-Encoding (the CL.TE desync: a
//     proxy that frames by Content-Length would forward the bytes after the
//     chunked body as a request of its own);
//   - a line ending in a bare LF rather than CRLF;
//   - a NUL byte in the head.
//
// It also refuses a request target over maxTargetBytes with 414.
func checkHead(c *fiber.Ctx) error {
	raw := c.Request().Header.RawHeaders()
	if bytes.IndexByte(raw, 0) >= 0 || hasBareLF(raw) || hasHeader(raw, "content-length") && hasHeader(raw, "transfer-encoding") {
		c.Context().SetConnectionClose()
		return errAmbiguousFraming
	}
	if len(c.Request().RequestURI()) > maxTargetBytes {
		return fault.New(fault.KindURITooLong, fault.CodeURITooLong, "the request target is longer than 16 KiB")
	}
	return c.Next()
}

// hasBareLF reports a line feed that no carriage return precedes.
func hasBareLF(raw []byte) bool {
	for i, b := range raw {
		if b == '\n' && (i == 0 || raw[i-1] != '\r') {
			return true
		}
	}
	return false
}

// hasHeader reports whether the raw header block has a field called name
// (lower case), whatever the case it was sent in.
func hasHeader(raw []byte, name string) bool {
	for len(raw) > 0 {
		line := raw
		if i := bytes.IndexByte(raw, '\n'); i >= 0 {
			line, raw = raw[:i], raw[i+1:]
		} else {
			raw = nil
		}
		if colon := bytes.IndexByte(line, ':'); colon == len(name) && bytes.EqualFold(line[:colon], []byte(name)) {
			return true
		}
	}
	return false
}
