package auth

import (
	"context"
	"strings"
	"testing"
)

func TestCheckJWKS_CountsUsableKeysOfAFileOrAURL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	n, err := CheckJWKS(ctx, CustomerConfig{JWKSFile: writeJWKSFile(t, jwksJSON(t, key("rsa"), key("ec")))})
	if err != nil || n != 2 {
		t.Fatalf("file: %d keys, %v", n, err)
	}
	srv := newJWKSServer(t, key("rsa"))
	if n, err := CheckJWKS(ctx, CustomerConfig{JWKSURL: srv.URL}); err != nil || n != 1 || srv.hits.Load() != 1 {
		t.Fatalf("url: %d keys, %v, %d fetches", n, err, srv.hits.Load())
	}
	srv.fail()
	if _, err := CheckJWKS(ctx, CustomerConfig{JWKSURL: srv.URL}); err == nil || !strings.Contains(err.Error(), "status") {
		t.Fatalf("failing endpoint: %v", err)
	}
	if _, err := CheckJWKS(ctx, CustomerConfig{JWKSFile: writeJWKSFile(t, []byte(`{"keys": []}`))}); err == nil ||
		!strings.Contains(err.Error(), "no usable signature key") {
		t.Fatalf("empty set: %v", err)
	}
}
