// Package faultproxy is a TCP proxy that a test puts between a process and a
// server the process depends on (Postgres, Redis), so that the test can make
// that dependency fail the ways real ones do and then come back:
//
//   - Cut closes every open connection and refuses new ones, as a server
//     that died or is restarting does: clients see resets and refusals.
//   - Stall accepts new connections but forwards nothing, and stops
//     forwarding on the open ones, as a hung server (or a network that
//     drops every packet) does: clients see silence, never an error.
//   - Restore passes traffic again. After a stall, what was held is
//     delivered; after a cut, the address accepts connections again.
//
// Close stops the proxy and waits for every goroutine it started, so a test
// that closes it leaks nothing.
package faultproxy

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"time"
)

// mode is what the proxy does with traffic.
type mode int

const (
	passing mode = iota
	stalled
	cut
)

func (m mode) String() string {
	switch m {
	case passing:
		return "passing"
	case stalled:
		return "stalled"
	default:
		return "cut"
	}
}

// DialTimeout bounds connecting to the target for one accepted connection.
const DialTimeout = 5 * time.Second

// relistenTimeout bounds Restore's attempts to listen again on the proxy's
// address after a cut.
const relistenTimeout = 5 * time.Second

// Proxy forwards the connections accepted on Addr to a target address.
type Proxy struct {
	target string
	addr   string

	mu     sync.Mutex
	mode   mode
	ln     net.Listener // nil while cut
	links  map[*link]struct{}
	resume chan struct{} // closed when a stall ends
	closed bool
	total  int // connections accepted so far

	wg sync.WaitGroup // the accept loop and every link's goroutines
}

// link is one accepted connection and, once dialled, its upstream.
type link struct {
	client net.Conn
	done   chan struct{}
	once   sync.Once

	mu       sync.Mutex
	upstream net.Conn
}

// close closes both sides; it is safe to call more than once.
func (l *link) close() {
	l.once.Do(func() {
		close(l.done)
		_ = l.client.Close()
		l.mu.Lock()
		if l.upstream != nil {
			_ = l.upstream.Close()
		}
		l.mu.Unlock()
	})
}

// setUpstream attaches the dialled upstream, or closes it and reports false
// when the link was closed meanwhile.
func (l *link) setUpstream(c net.Conn) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	select {
	case <-l.done:
		_ = c.Close()
		return false
	default:
	}
	l.upstream = c
	return true
}

// New starts a proxy to target (host:port) listening on a free port of
// 127.0.0.1, passing traffic.
func New(target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("faultproxy: listen: %w", err)
	}
	p := &Proxy{target: target, addr: ln.Addr().String(), ln: ln, links: map[*link]struct{}{}}
	p.wg.Add(1)
	go p.accept(ln)
	return p, nil
}

// Addr is the proxy's address (host:port); it stays the same across cuts.
func (p *Proxy) Addr() string { return p.addr }

// Target is the address the proxy forwards to.
func (p *Proxy) Target() string { return p.target }

// Open is how many accepted connections are open now, held ones included.
func (p *Proxy) Open() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.links)
}

// Accepted is how many connections the proxy has accepted so far.
func (p *Proxy) Accepted() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.total
}

// Mode names what the proxy does now: "passing", "stalled" or "cut".
func (p *Proxy) Mode() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.mode.String()
}

// Cut closes every open connection (held ones too) and stops listening, so
// that new connections are refused, until Restore.
func (p *Proxy) Cut() {
	p.mu.Lock()
	if p.closed || p.mode == cut {
		p.mu.Unlock()
		return
	}
	if p.mode == stalled {
		close(p.resume) // the held pipes see the cut and give up
	}
	p.mode = cut
	ln := p.ln
	p.ln = nil
	links := p.takeLinks()
	p.mu.Unlock()
	_ = ln.Close()
	for _, l := range links {
		l.close()
	}
}

// Stall stops forwarding: bytes already read from either side are held,
// nothing more is read, and new connections are accepted and held without
// being connected to the target, until Restore (or Cut). After a cut, Stall
// listens again first.
func (p *Proxy) Stall() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || p.mode == stalled {
		return nil
	}
	if p.mode == cut {
		if err := p.relisten(); err != nil {
			return err
		}
	}
	p.mode = stalled
	p.resume = make(chan struct{})
	return nil
}

// Restore passes traffic again: after a stall, what was held is forwarded
// and held connections are connected to the target; after a cut, the proxy
// listens again on the same address.
func (p *Proxy) Restore() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	switch p.mode {
	case stalled:
		close(p.resume)
	case cut:
		if err := p.relisten(); err != nil {
			return err
		}
	}
	p.mode = passing
	return nil
}

// Close stops the proxy: it stops listening, closes every connection and
// waits until every goroutine it started has returned.
func (p *Proxy) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		p.wg.Wait()
		return nil
	}
	p.closed = true
	if p.mode == stalled {
		close(p.resume)
	}
	p.mode = cut
	ln := p.ln
	p.ln = nil
	links := p.takeLinks()
	p.mu.Unlock()
	if ln != nil {
		_ = ln.Close()
	}
	for _, l := range links {
		l.close()
	}
	p.wg.Wait()
	return nil
}

// takeLinks empties the link set; p.mu is held.
func (p *Proxy) takeLinks() []*link {
	links := make([]*link, 0, len(p.links))
	for l := range p.links {
		links = append(links, l)
	}
	clear(p.links)
	return links
}

// relisten listens on the proxy's address again; p.mu is held. The port was
// ours a moment ago, but the kernel may briefly refuse it, so it retries.
func (p *Proxy) relisten() error {
	deadline := time.Now().Add(relistenTimeout)
	for {
		ln, err := net.Listen("tcp", p.addr)
		if err == nil {
			p.ln = ln
			p.wg.Add(1)
			go p.accept(ln)
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("faultproxy: listen again on %s: %w", p.addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// accept serves ln until it is closed by Cut or Close.
func (p *Proxy) accept(ln net.Listener) {
	defer p.wg.Done()
	for {
		c, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			time.Sleep(5 * time.Millisecond) // e.g. out of file descriptors
			continue
		}
		l := &link{client: c, done: make(chan struct{})}
		p.mu.Lock()
		if p.closed || p.ln != ln { // cut or closed between Accept and here
			p.mu.Unlock()
			_ = c.Close()
			continue
		}
		p.links[l] = struct{}{}
		p.total++
		p.wg.Add(1)
		p.mu.Unlock()
		go p.serve(l)
	}
}

// serve connects l to the target once traffic passes and pipes both ways
// until either side closes or the proxy cuts the link.
func (p *Proxy) serve(l *link) {
	defer p.wg.Done()
	defer p.drop(l)
	if !p.waitPassing(l) {
		return
	}
	up, err := net.DialTimeout("tcp", p.target, DialTimeout)
	if err != nil {
		return // the client sees its connection closed, as from a dead server
	}
	if !l.setUpstream(up) {
		return
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		p.pipe(l, l.client, up)
		l.close()
	}()
	p.pipe(l, up, l.client)
	l.close()
}

// drop closes l and forgets it.
func (p *Proxy) drop(l *link) {
	l.close()
	p.mu.Lock()
	delete(p.links, l)
	p.mu.Unlock()
}

// pipe copies src to dst, holding each chunk while the proxy is stalled.
func (p *Proxy) pipe(l *link, dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if !p.waitPassing(l) {
				return
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// waitPassing blocks while the proxy is stalled; it reports false when the
// link was closed or the proxy cut it.
func (p *Proxy) waitPassing(l *link) bool {
	for {
		p.mu.Lock()
		m, resume := p.mode, p.resume
		p.mu.Unlock()
		switch m {
		case passing:
			select {
			case <-l.done:
				return false
			default:
				return true
			}
		case cut:
			return false
		}
		select {
		case <-resume:
		case <-l.done:
			return false
		}
	}
}
