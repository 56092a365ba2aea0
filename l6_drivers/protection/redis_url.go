package protection

import (
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/redis/go-redis/v9"
)

// Request-path client settings that ParseRedisURL uses where the URL does not
// set its own. go-redis's defaults (5s dial timeout, 3s reads, 3 command
// retries, each with 5 dial retries) would hold every request for seconds
// before protection fails open, and a retried script whose reply was lost
// would charge the request twice.
const (
	redisDialTimeout  = 500 * time.Millisecond
	redisReadTimeout  = 500 * time.Millisecond
	redisWriteTimeout = 500 * time.Millisecond
)

// ParseRedisURL returns a client for a redis:// or rediss:// URL, read by
// go-redis's ParseURL (database, credentials, TLS, and query parameters such
// as dial_timeout, read_timeout, max_retries, pool_size). Where the URL says
// nothing, the client dials and reads within 500ms and never retries. The
// error never repeats the URL, which may hold a password.
func ParseRedisURL(rawURL string) (redis.UniversalClient, error) {
	opts, err := redis.ParseURL(rawURL)
	if err != nil {
		var urlErr *url.Error
		if errors.As(err, &urlErr) {
			err = urlErr.Err
		}
		return nil, fmt.Errorf("protection: parse redis url: %w", err)
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, errors.New("protection: parse redis url: malformed")
	}
	q := u.Query()
	if !q.Has("dial_timeout") {
		opts.DialTimeout = redisDialTimeout
	}
	if !q.Has("read_timeout") {
		opts.ReadTimeout = redisReadTimeout
	}
	if !q.Has("write_timeout") {
		opts.WriteTimeout = redisWriteTimeout
	}
	if !q.Has("max_retries") {
		opts.MaxRetries = -1
	}
	opts.DialerRetries = 1
	return redis.NewClient(opts), nil
}
