package api

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"fmt"
	"io"
	"strings"

	"github.com/andybalholm/brotli"
	"github.com/gofiber/fiber/v2"

	"hoc/l5_engines/fault"
)

// requestBody returns the request's body, decoded from its Content-Encoding
// through a reader that stops one byte past the body limit.
//
// Every handler reads its body through here, never through Fiber's
// c.Body(): that decodes gzip, deflate and br — stacked ones too — in full
// before anything can look at the size, and the body limit applies only to
// the bytes on the wire, so a 1.7 KB brotli body once took a replica from
// 31 MB to 6.7 GB. Here a body may expand to the same limit as a plain one
// and no further (413 beyond), a coding the server does not decode, or
// several stacked, is 415, and a body that does not decode as its coding
// says is 400. gzip is what OTLP exporters and most HTTP clients send;
// deflate and br are decoded because Fiber decoded them before.
func requestBody(c *fiber.Ctx) ([]byte, error) {
	raw := c.Request().Body()
	coding := strings.ToLower(strings.TrimSpace(c.Get(fiber.HeaderContentEncoding)))
	if coding == "" || coding == "identity" {
		return raw, nil
	}
	var (
		dec io.Reader
		err error
	)
	switch coding {
	case "gzip", "x-gzip":
		dec, err = gzip.NewReader(bytes.NewReader(raw))
	case "deflate":
		dec, err = zlib.NewReader(bytes.NewReader(raw))
	case "br":
		dec = brotli.NewReader(bytes.NewReader(raw))
	default:
		return nil, errUnsupportedCoding
	}
	if err != nil {
		return nil, errUndecodableBody(coding)
	}
	limit := c.App().Config().BodyLimit
	body, err := readUpTo(dec, limit)
	switch {
	case len(body) > limit:
		return nil, fault.New(fault.KindTooLarge, fault.CodePayloadTooLarge,
			fmt.Sprintf("request body is larger than %d bytes once decoded", limit))
	case err != nil:
		return nil, errUndecodableBody(coding)
	}
	return body, nil
}

// readUpTo reads r to its end or to one byte past limit, whichever comes
// first. It reads into chunks that double from 32 KiB to 1 MiB and joins
// them once at the end, so that refusing a bomb allocates about the limit,
// where a growing buffer allocates several times what it ends up holding.
func readUpTo(r io.Reader, limit int) ([]byte, error) {
	var (
		chunks [][]byte
		total  int
		size   = 32 << 10
	)
	for total <= limit {
		chunk := make([]byte, min(size, limit+1-total))
		n, err := io.ReadFull(r, chunk)
		chunks, total = append(chunks, chunk[:n]), total+n
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return nil, err
		}
		size = min(2*size, 1<<20)
	}
	if len(chunks) == 1 {
		return chunks[0], nil
	}
	return bytes.Join(chunks, nil), nil
}

// errUnsupportedCoding answers a Content-Encoding other than one of the
// codings requestBody decodes, including a list of several.
var errUnsupportedCoding = fault.New(fault.KindUnsupportedMedia, fault.CodeUnsupportedMedia,
	"Content-Encoding must be one of gzip, deflate or br (or none); several stacked codings are not accepted")

func errUndecodableBody(coding string) error {
	return fault.InvalidRequest("request body is not valid " + coding)
}
