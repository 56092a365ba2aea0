package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// batchPath is the endpoint every batch goes to; a single record is a batch
// of one, so that one code path handles every answer.
const batchPath = "/api/v1/telemetry/llm-usage/batch"

// deliver sends a batch until the server answers for every record, the
// server refuses the request for good, MaxAttempts (when set) runs out or
// Close's context ends; every record of the batch gets its result.
func (c *Client) deliver(batch []*Pending) {
	if len(batch) == 0 {
		return
	}
	body, err := encodeBatch(batch)
	if err != nil {
		c.failAll(batch, Result{Err: fmt.Errorf("encode: %w", err)})
		return
	}
	for attempt := 1; ; attempt++ {
		items, err := c.post(body)
		var refused *refusal
		switch {
		case err == nil && len(items) != len(batch):
			c.failAll(batch, Result{Attempts: attempt, Err: fmt.Errorf("the server answered %d results for %d records", len(items), len(batch))})
			return
		case err == nil:
			for _, it := range items {
				if it.Index < 0 || it.Index >= len(batch) {
					continue // answered for no record; the rest still get theirs below
				}
				c.finish(batch[it.Index], it.result(attempt))
				batch[it.Index] = nil
			}
			c.failAll(compact(batch), Result{Attempts: attempt, Err: errors.New("the server's answer left this record out")})
			return
		case errors.As(err, &refused) && refused.status == http.StatusRequestEntityTooLarge && len(batch) > 1:
			// The body is over the server's limit: halves are smaller.
			c.deliver(batch[:len(batch)/2])
			c.deliver(batch[len(batch)/2:])
			return
		case errors.As(err, &refused) && !refused.retryable():
			c.failAll(batch, Result{Attempts: attempt, Code: refused.Code, Message: refused.Message, Err: err})
			return
		case c.life.Err() != nil:
			c.failAll(batch, Result{Attempts: attempt, Err: fmt.Errorf("not delivered: Close's context ended after %d attempts: %w", attempt, err)})
			return
		case c.cfg.MaxAttempts > 0 && attempt >= c.cfg.MaxAttempts:
			c.failAll(batch, Result{Attempts: attempt, Err: fmt.Errorf("not delivered after %d attempts (MaxAttempts): %w", attempt, err)})
			return
		}
		wait := c.backoff(attempt)
		if errors.As(err, &refused) && refused.retryAfter > wait {
			wait = refused.retryAfter
		}
		select {
		case <-time.After(wait):
		case <-c.life.Done():
		}
		c.stats.retries.Add(1)
	}
}

// backoff is the wait before the attempt after this one: doubling from
// MinBackoff to MaxBackoff, with "equal jitter" (half fixed, half random)
// so that clients failed together do not retry together. The doubling stops
// at MaxBackoff rather than shifting by the attempt number: attempts are
// unbounded by default, and a shift would overflow into a negative wait.
func (c *Client) backoff(attempt int) time.Duration {
	d := min(c.cfg.MinBackoff, c.cfg.MaxBackoff)
	for i := 1; i < attempt && d < c.cfg.MaxBackoff; i++ {
		if d > c.cfg.MaxBackoff/2 {
			d = c.cfg.MaxBackoff
		} else {
			d *= 2
		}
	}
	return d/2 + rand.N(d/2+1)
}

func (c *Client) failAll(batch []*Pending, res Result) {
	res.Outcome = Failed
	for _, p := range batch {
		c.finish(p, res)
	}
}

func compact(batch []*Pending) []*Pending {
	out := batch[:0]
	for _, p := range batch {
		if p != nil {
			out = append(out, p)
		}
	}
	return out
}

func encodeBatch(batch []*Pending) ([]byte, error) {
	records := make([]Record, len(batch))
	for i, p := range batch {
		records[i] = p.rec
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	err := enc.Encode(struct {
		Records []Record `json:"records"`
	}{records})
	return buf.Bytes(), err
}

// post sends one request and reads the per-record results. A network error,
// or an answer that is not the batch result, is an error; a refusal is a
// *refusal.
func (c *Client) post(body []byte) ([]batchItem, error) {
	req, err := http.NewRequestWithContext(c.life, http.MethodPost, c.cfg.BaseURL+batchPath, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "hoc-go-client/1")
	if c.cfg.IntegrationKey != "" {
		req.Header.Set("X-CUS-Integration-Key", c.cfg.IntegrationKey)
	} else {
		req.Header.Set("X-AOS-Key", c.cfg.APIKey)
	}
	resp, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("read the answer: %w", err)
	}
	var env struct {
		Success bool `json:"success"`
		Data    struct {
			Results []batchItem `json:"results"`
		} `json:"data"`
		Error *apiError `json:"error"`
	}
	decodeErr := json.Unmarshal(raw, &env)
	if resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusMultiStatus {
		if decodeErr != nil || !env.Success {
			return nil, fmt.Errorf("status %d with an unreadable body: %v", resp.StatusCode, decodeErr)
		}
		return env.Data.Results, nil
	}
	r := &refusal{status: resp.StatusCode, retryAfter: retryAfter(resp.Header.Get("Retry-After"))}
	if env.Error != nil {
		r.apiError = *env.Error
	}
	return nil, r
}

// apiError is the error object of hoc's envelope.
type apiError struct {
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Reason  string         `json:"reason"`
	Fields  []FieldError   `json:"fields"`
	Details map[string]any `json:"details"`
}

// refusal is an answer other than the batch result.
type refusal struct {
	apiError
	status     int
	retryAfter time.Duration
}

func (r *refusal) Error() string {
	if r.Code == "" {
		return fmt.Sprintf("status %d", r.status)
	}
	return fmt.Sprintf("status %d %s: %s", r.status, r.Code, r.Message)
}

// retryable: a rate limit, a throttle, an unavailable or failing server —
// what may pass later. Any other refusal (a bad key, a suspended tenant, a
// malformed batch) would be refused again.
func (r *refusal) retryable() bool {
	return r.status == http.StatusTooManyRequests || r.status >= 500 || r.status == http.StatusRequestTimeout
}

// retryAfter reads a Retry-After of whole seconds (hoc sends those) or an
// HTTP date.
func retryAfter(h string) time.Duration {
	if h == "" {
		return 0
	}
	if s, err := strconv.Atoi(h); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil {
		return time.Until(t)
	}
	return 0
}

// batchItem is one record's answer in a batch result.
type batchItem struct {
	Index  int       `json:"index"`
	Status string    `json:"status"`
	ID     string    `json:"id"`
	Error  *apiError `json:"error"`
}

func (it batchItem) result(attempts int) Result {
	res := Result{Outcome: Outcome(it.Status), ID: it.ID, Attempts: attempts}
	switch res.Outcome {
	case Accepted, Duplicate, Conflict, Rejected:
	default:
		res.Outcome, res.Err = Failed, fmt.Errorf("unknown status %q", it.Status)
	}
	if it.Error != nil {
		res.Code, res.Message, res.Reason, res.Fields = it.Error.Code, it.Error.Message, it.Error.Reason, it.Error.Fields
	}
	return res
}
