package auth

import (
	"context"
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"hoc/l5_engines/fault"
	"hoc/testkit"
)

// verifyRandomKids verifies n tokens at once, each naming a kid nobody
// published, and expects every one to be refused.
func verifyRandomKids(t *testing.T, c *CustomerTokens, n int) {
	t.Helper()
	tokens := make([]string, n)
	for i := range tokens {
		tokens[i] = signCustomer(t, key("rsa-evil").withKid(rand.Text()), customerClaims())
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i, tok := range tokens {
		wg.Go(func() { _, errs[i] = c.Verify(t.Context(), tok) })
	}
	wg.Wait()
	for _, err := range errs {
		wantReason(t, err, ReasonJWTInvalid)
	}
}

func wantHits(t *testing.T, srv *jwksServer, want int64) {
	t.Helper()
	if got := srv.hits.Load(); got != want {
		t.Fatalf("JWKS fetched %d times, want %d", got, want)
	}
}

func TestCustomerTokens_KeyRotationNeedsExactlyOneFetch(t *testing.T) {
	t.Parallel()
	srv := newJWKSServer(t, key("rsa"))
	c := newCustomerTokens(t, urlConfig(srv), fixedClock(t0))
	if _, err := c.Verify(t.Context(), signCustomer(t, key("rsa"), customerClaims())); err != nil {
		t.Fatal(err)
	}
	wantHits(t, srv, 1)

	srv.serve(t, key("rsa"), key("rsa-next"))
	got, err := c.Verify(t.Context(), signCustomer(t, key("rsa-next"), customerClaims()))
	if err != nil || got.Subject != "user-1" {
		t.Fatalf("token with the new kid: %+v, %v", got, err)
	}
	wantHits(t, srv, 2)
}

func TestCustomerTokens_UnknownKidsFetchAtMostOncePerMinRefreshInterval(t *testing.T) {
	t.Parallel()
	clock := testkit.NewClock(t0)
	srv := newJWKSServer(t, key("rsa"))
	cfg := urlConfig(srv)
	cfg.MinRefreshInterval = 5 * time.Minute
	c := newCustomerTokens(t, cfg, clock.Now)

	verifyRandomKids(t, c, 30)
	wantHits(t, srv, 2) // the start, then one for the first unknown kid

	clock.Advance(5*time.Minute - time.Second)
	verifyRandomKids(t, c, 30)
	wantHits(t, srv, 2)

	clock.Advance(time.Second)
	verifyRandomKids(t, c, 30)
	wantHits(t, srv, 3)

	if _, err := c.Verify(t.Context(), signCustomer(t, key("rsa"), customerClaims())); err != nil {
		t.Fatalf("known kid refused after the storm: %v", err)
	}
	wantHits(t, srv, 3)
}

func TestCustomerTokens_RefreshDropsRevokedKeys(t *testing.T) {
	t.Parallel()
	clock := testkit.NewClock(t0)
	srv := newJWKSServer(t, key("rsa"), key("ec"))
	c := newCustomerTokens(t, urlConfig(srv), clock.Now)
	ecToken := signCustomer(t, key("ec"), customerClaims())
	if _, err := c.Verify(t.Context(), ecToken); err != nil {
		t.Fatal(err)
	}

	srv.serve(t, key("rsa"))
	verifyRandomKids(t, c, 1)
	_, err := c.Verify(t.Context(), ecToken)
	wantReason(t, err, ReasonJWTInvalid)
}

func TestCustomerTokens_FailedRefreshKeepsKeys(t *testing.T) {
	t.Parallel()
	clock := testkit.NewClock(t0)
	srv := newJWKSServer(t, key("rsa"))
	c := newCustomerTokens(t, urlConfig(srv), clock.Now)
	tok := signCustomer(t, key("rsa"), customerClaims())
	if _, err := c.Verify(t.Context(), tok); err != nil {
		t.Fatal(err)
	}

	srv.fail()
	verifyRandomKids(t, c, 1)
	wantHits(t, srv, 2)
	if _, err := c.Verify(t.Context(), tok); err != nil {
		t.Fatalf("known key lost after a failed refresh: %v", err)
	}
}

func TestCustomerTokens_StartsWhileJWKSIsDown(t *testing.T) {
	t.Parallel()
	clock := testkit.NewClock(t0)
	srv := newJWKSServer(t)
	srv.fail()
	c := newCustomerTokens(t, urlConfig(srv), clock.Now)
	if !c.Enabled() {
		t.Fatal("not enabled while the JWKS is down")
	}
	tok := signCustomer(t, key("rsa"), customerClaims())
	if _, err := c.Verify(t.Context(), tok); fault.KindOf(err) != fault.KindUnavailable {
		t.Fatalf("Verify without any keys = %v, want unavailable", err)
	}

	srv.serve(t, key("rsa"))
	clock.Advance(time.Minute)
	if _, err := c.Verify(t.Context(), tok); err != nil {
		t.Fatalf("Verify once the JWKS is back: %v", err)
	}
}

// newHungJWKSServer answers no request until the client gives up.
func newHungJWKSServer(t *testing.T) *httptest.Server {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	return srv
}

func TestCustomerTokens_HungJWKSIsBoundedByClientTimeout(t *testing.T) {
	t.Parallel()
	srv := newHungJWKSServer(t)
	cfg := CustomerConfig{Issuer: testIssuer, Audience: testAudience, JWKSURL: srv.URL, HTTPClient: &http.Client{Timeout: 30 * time.Millisecond}}
	c := newCustomerTokens(t, cfg, fixedClock(t0))
	start := time.Now()
	_, err := c.Verify(t.Context(), signCustomer(t, key("rsa"), customerClaims()))
	if fault.KindOf(err) != fault.KindUnavailable || time.Since(start) > 2*time.Second {
		t.Fatalf("Verify = %v after %v", err, time.Since(start))
	}
}

func TestCustomerTokens_HungJWKSIsBoundedByRequestContext(t *testing.T) {
	t.Parallel()
	srv := newHungJWKSServer(t)
	cfg := CustomerConfig{Issuer: testIssuer, Audience: testAudience, JWKSURL: srv.URL}
	c := newCustomerTokens(t, cfg, fixedClock(t0))
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Verify(ctx, signCustomer(t, key("rsa"), customerClaims()))
	if fault.KindOf(err) != fault.KindUnavailable || time.Since(start) > 2*time.Second {
		t.Fatalf("Verify = %v after %v", err, time.Since(start))
	}
}

// The set is fetched at start and then once per interval, until Close and
// never after it. On the bubble's fake clock each interval is exact, and
// "never after" is every goroutine waiting with ten intervals gone by.
func TestCustomerTokens_RefreshesPeriodicallyUntilClose(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		const every = time.Minute
		srv := newMemoryJWKS(t, key("rsa"))
		cfg := urlConfig(srv)
		cfg.RefreshInterval = every
		c := newCustomerTokens(t, cfg, fixedClock(t0))
		synctest.Wait()
		wantHits(t, srv, 1) // the fetch at start
		for want := int64(2); want <= 3; want++ {
			time.Sleep(every) // advances the bubble's fake clock by one interval
			synctest.Wait()
			wantHits(t, srv, want)
		}

		c.Close()
		time.Sleep(10 * every) // advances the bubble's fake clock by ten intervals
		synctest.Wait()
		wantHits(t, srv, 3)
	})
}
