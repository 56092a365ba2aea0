package testkit

import (
	"net/http"
	"net/http/httptest"
)

// HandlerTransport is an http.RoundTripper that answers every request by
// calling Handler in memory, without a socket. A client given
// &http.Client{Transport: HandlerTransport{h}} can then run inside a
// testing/synctest bubble, whose fake clock moves only while every
// goroutine in it waits on something the bubble controls; a goroutine
// reading a socket is not one of those.
type HandlerTransport struct {
	Handler http.Handler
}

// RoundTrip serves r with the handler and returns what it wrote.
func (h HandlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body == nil { // a server's request always has a body
		r = r.Clone(r.Context())
		r.Body = http.NoBody
	}
	w := httptest.NewRecorder()
	h.Handler.ServeHTTP(w, r)
	resp := w.Result()
	resp.Request = r
	return resp, nil
}
