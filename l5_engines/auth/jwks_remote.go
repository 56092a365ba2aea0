package auth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/golang-jwt/jwt/v5"

	"hoc/l5_engines/fault"
)

// maxJWKSBytes bounds the JWKS document; real ones are a few kilobytes.
const maxJWKSBytes = 1 << 20

// errNoKeysYet marks a lookup made before any JWKS was ever loaded.
var errNoKeysYet = errors.New("the JWKS has not been loaded yet")

// remoteKeys caches the JWKS published at a URL. It fetches once at start
// (a failure there only means the first use fetches again), on a fixed
// interval, and when a token names a kid it does not know; those last
// fetches are at most one per minRefresh so that random kids cannot turn
// us into a load generator against the identity provider. One fetch runs
// at a time and every caller that needs it waits for that one.
type remoteKeys struct {
	url        string
	client     *http.Client
	timeout    time.Duration
	minRefresh time.Duration
	now        func() time.Time

	life context.Context // canceled by close; parent of every fetch
	stop context.CancelFunc
	wg   sync.WaitGroup

	current atomic.Pointer[keySet]

	mu           sync.Mutex
	inflight     *fetchCall
	nextOnDemand time.Time // the earliest time an unknown kid may fetch again
	closed       bool
}

// fetchCall is one JWKS fetch that several callers may wait for.
type fetchCall struct {
	done chan struct{}
	err  error
}

// newRemoteKeys starts the initial fetch and the periodic refresh; both
// run in the background so that a slow or absent identity provider never
// delays the server's start.
func newRemoteKeys(ctx context.Context, url string, client *http.Client, timeout, every, minRefresh time.Duration, now func() time.Time) *remoteKeys {
	life, stop := context.WithCancel(context.WithoutCancel(ctx))
	r := &remoteKeys{url: url, client: client, timeout: timeout, minRefresh: minRefresh, now: now, life: life, stop: stop}
	r.mu.Lock()
	r.startLocked()
	r.mu.Unlock()
	r.wg.Add(1)
	go r.refreshEvery(every)
	return r
}

// keyFor looks the token's kid up in the cached set, fetching the set once
// more (within the rate bound) when the kid is unknown. A kid that is
// still unknown afterwards wraps jwkset.ErrKeyNotFound.
func (r *remoteKeys) keyFor(ctx context.Context, token *jwt.Token) (any, error) {
	seen := r.current.Load()
	if seen != nil {
		key, err := seen.keyFor(ctx, token)
		if !errors.Is(err, jwkset.ErrKeyNotFound) {
			return key, err
		}
	}
	refreshErr := r.refreshOnDemand(ctx, seen)
	set := r.current.Load()
	if set == nil {
		// Nothing to verify against: the provider is unreachable, which
		// says nothing about the token, so the caller may retry.
		return nil, fault.Unavailable(errors.Join(errNoKeysYet, refreshErr))
	}
	return set.keyFor(ctx, token)
}

// refreshOnDemand joins the running fetch, or starts one if the rate
// bound allows, and waits for it no longer than ctx allows. seen is the set
// the caller looked in; if another fetch replaced it meanwhile, the caller
// only needs to look again.
func (r *remoteKeys) refreshOnDemand(ctx context.Context, seen *keySet) error {
	r.mu.Lock()
	call := r.inflight
	if call == nil && r.current.Load() != seen {
		r.mu.Unlock()
		return nil
	}
	if call == nil {
		now := r.now()
		if r.closed || now.Before(r.nextOnDemand) {
			r.mu.Unlock()
			return errors.New("JWKS refresh skipped: rate bound or closed")
		}
		r.nextOnDemand = now.Add(r.minRefresh)
		call = r.startLocked()
	}
	r.mu.Unlock()
	select {
	case <-call.done:
		return call.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// startLocked starts a fetch; r.mu must be held and no fetch running.
func (r *remoteKeys) startLocked() *fetchCall {
	call := &fetchCall{done: make(chan struct{})}
	r.inflight = call
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		call.err = r.fetch()
		r.mu.Lock()
		r.inflight = nil
		r.mu.Unlock()
		close(call.done)
	}()
	return call
}

// refreshEvery refetches the set on a fixed interval until close, so that
// a key the provider revoked stops verifying within one interval.
func (r *remoteKeys) refreshEvery(every time.Duration) {
	defer r.wg.Done()
	ticker := time.NewTicker(every)
	defer ticker.Stop()
	for {
		select {
		case <-r.life.Done():
			return
		case <-ticker.C:
			r.mu.Lock()
			if r.inflight == nil && !r.closed {
				r.startLocked()
			}
			r.mu.Unlock()
		}
	}
}

// fetch downloads and parses the set; on any failure the previous set
// stays in use.
func (r *remoteKeys) fetch() error {
	ctx, cancel := context.WithTimeout(r.life, r.timeout)
	defer cancel()
	raw, err := getJWKS(ctx, r.client, r.url)
	if err != nil {
		return err
	}
	set, err := parseJWKS(raw)
	if err != nil {
		return err
	}
	r.current.Store(set)
	return nil
}

// getJWKS downloads a JWKS document of at most maxJWKSBytes.
func getJWKS(ctx context.Context, client *http.Client, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("build JWKS request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch JWKS: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch JWKS: status %d", resp.StatusCode)
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read JWKS: %w", err)
	}
	if len(raw) > maxJWKSBytes {
		return nil, fmt.Errorf("JWKS is larger than %d bytes", maxJWKSBytes)
	}
	return raw, nil
}

// close stops the periodic refresh and waits for any running fetch.
func (r *remoteKeys) close() {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	r.stop()
	r.wg.Wait()
}
