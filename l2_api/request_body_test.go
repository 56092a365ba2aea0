package api

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"io"
	"runtime"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/gofiber/fiber/v2"

	"hoc/l5_engines/fault"
)

// bodyCtx is a request context of an app with the given body limit, whose
// body is body sent with Content-Encoding coding.
func bodyCtx(t testing.TB, limit int, coding string, body []byte) *fiber.Ctx {
	t.Helper()
	app := fiber.New(fiber.Config{BodyLimit: limit})
	c := fzNewCtx(app, body, "")
	if coding != "" {
		c.Request().Header.Set(fiber.HeaderContentEncoding, coding)
	}
	t.Cleanup(func() { app.ReleaseCtx(c) })
	return c
}

func encode(t testing.TB, coding string, body []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	var w io.WriteCloser
	switch coding {
	case "gzip":
		w = gzip.NewWriter(&buf)
	case "deflate":
		w = zlib.NewWriter(&buf)
	case "br":
		w = brotli.NewWriter(&buf)
	default:
		return body
	}
	if _, err := w.Write(body); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestRequestBody_ABombAllocatesAboutTheLimit: a body that expands to 16
// MiB, with a limit of 1 MiB, is refused having allocated about the limit
// and the decoder's state, not the 16 MiB and more that decoding it in full
// takes (a growing buffer alone allocated 4 times the limit). Not parallel: it measures the process's
// allocations, which parallel tests would add to.
func TestRequestBody_ABombAllocatesAboutTheLimit(t *testing.T) {
	const limit, expanded = 1 << 20, 16 << 20
	zeros := make([]byte, expanded)
	for _, coding := range []string{"gzip", "deflate", "br"} {
		c := bodyCtx(t, limit, coding, encode(t, coding, zeros))
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := requestBody(c)
		runtime.ReadMemStats(&after)
		if fe, ok := fault.As(err); !ok || fe.Code != fault.CodePayloadTooLarge {
			t.Fatalf("%s: %v, want PAYLOAD_TOO_LARGE", coding, err)
		}
		// About twice the limit (the chunks, and one of them past it), and
		// for br the decoder's window of up to 4 MiB at its usual settings.
		if allocated := after.TotalAlloc - before.TotalAlloc; allocated > 7<<20 {
			t.Errorf("%s: %d MiB allocated to refuse a body over %d MiB", coding, allocated>>20, limit>>20)
		}
	}
}

// FuzzRequestBody: whatever the bytes and the coding, requestBody never
// panics, never decodes more than the limit, and refuses only as a client
// error (400, 413 or 415).
func FuzzRequestBody(f *testing.F) {
	const limit = 4 << 10
	codings := []string{"", "identity", "gzip", "x-gzip", "deflate", "br", "GZIP", "gzip, br", "compress", " gzip "}
	f.Add(uint8(0), []byte(`{"a":1}`))
	for i, coding := range codings {
		f.Add(uint8(i), encode(f, coding, []byte(`{"call_id":"c"}`)))
		f.Add(uint8(i), encode(f, coding, make([]byte, 2*limit)))
		f.Add(uint8(i), encode(f, coding, make([]byte, limit)))
	}
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		coding := codings[int(which)%len(codings)]
		body, err := requestBody(bodyCtx(t, limit, coding, data))
		if err != nil {
			fe, ok := fault.As(err)
			if !ok || (fe.Kind != fault.KindInvalidRequest && fe.Kind != fault.KindTooLarge && fe.Kind != fault.KindUnsupportedMedia) {
				t.Fatalf("%q: refused with %v", coding, err)
			}
			return
		}
		if len(body) > limit && coding != "" && coding != "identity" {
			t.Fatalf("%q: %d bytes decoded past the limit of %d", coding, len(body), limit)
		}
	})
}
