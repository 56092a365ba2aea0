package main

import (
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// maxREADME is the README's budget: the front door says what hoc is, how to
// start it and where to go next; the reference lives in docs/.
const maxREADME = 8192

// TestDocs_READMEIsAtMost8KiB keeps the README a front door, not a manual.
func TestDocs_READMEIsAtMost8KiB(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile(filepath.Join(repoRoot(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if len(readme) > maxREADME {
		t.Fatalf("README.md is %d bytes, more than %d: move the detail to a page of docs/ and link it", len(readme), maxREADME)
	}
}

// TestDocs_LinksResolve: every relative link of README.md and docs/*.md names
// a file of the repository, and a #fragment — into the same page or another
// Markdown page — names one of that page's headings, as GitHub renders their
// anchors. A page moved or a heading renamed fails here, not in a reader's
// browser.
func TestDocs_LinksResolve(t *testing.T) {
	t.Parallel()
	root := repoRoot(t)
	pages := markdownPages(t, root)
	checked := 0
	for _, page := range pages {
		text, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		rel := relPath(t, root, page)
		for _, l := range markdownLinks(string(text)) {
			target, fragment, _ := strings.Cut(l.target, "#")
			if isExternalLink(target) {
				continue
			}
			checked++
			path := page
			if target != "" {
				unescaped, err := url.PathUnescape(target)
				if err != nil {
					t.Errorf("%s:%d: link %q: %v", rel, l.line, l.target, err)
					continue
				}
				path = filepath.Join(filepath.Dir(page), filepath.FromSlash(unescaped))
				if inside := relPath(t, root, path); inside == ".." || strings.HasPrefix(inside, ".."+string(filepath.Separator)) {
					t.Errorf("%s:%d: link %q leaves the repository", rel, l.line, l.target)
					continue
				}
				if _, err := os.Stat(path); err != nil {
					t.Errorf("%s:%d: link %q names no file of the repository", rel, l.line, l.target)
					continue
				}
			}
			if fragment == "" || !strings.HasSuffix(path, ".md") {
				continue
			}
			to, err := os.ReadFile(path)
			if err != nil {
				t.Errorf("%s:%d: link %q: %v", rel, l.line, l.target, err)
				continue
			}
			if anchors := headingAnchors(string(to)); !slices.Contains(anchors, fragment) {
				t.Errorf("%s:%d: link %q names no heading of %s (its anchors: %s)", rel, l.line, l.target,
					filepath.Base(path), strings.Join(anchors, ", "))
			}
		}
	}
	if checked == 0 {
		t.Fatal("found no relative link in README.md and docs/*.md: the link reader is broken")
	}
}

// TestDocs_READMELinksEveryPage: every page of docs/ is reachable from the
// front door.
func TestDocs_READMELinksEveryPage(t *testing.T) {
	t.Parallel()
	root := repoRoot(t)
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	linked := map[string]bool{}
	for _, l := range markdownLinks(string(readme)) {
		target, _, _ := strings.Cut(l.target, "#")
		linked[filepath.Clean(filepath.FromSlash(target))] = true
	}
	for _, page := range markdownPages(t, root) {
		rel := relPath(t, root, page)
		if rel != "README.md" && !linked[rel] {
			t.Errorf("README.md does not link %s", filepath.ToSlash(rel))
		}
	}
}

// TestDocs_HeadingAnchorsAreGitHubs pins the anchor rule the link check
// relies on.
func TestDocs_HeadingAnchorsAreGitHubs(t *testing.T) {
	t.Parallel()
	got := headingAnchors("# The API\n## Redis and several replicas\n```\n# not a heading\n```\n" +
		"### Conformance check (for architects)\n## `hocd report`\n## Beyond the contract\n## Beyond the contract\n")
	want := []string{"the-api", "redis-and-several-replicas", "conformance-check-for-architects", "hocd-report",
		"beyond-the-contract", "beyond-the-contract-1"}
	if !slices.Equal(got, want) {
		t.Fatalf("anchors %q, want %q", got, want)
	}
	links := markdownLinks("see [a](a.md#x), `[not](a link)`, ![pic](p.png) and\n[b](https://example.com)\n```\n[c](c.md)\n```\n")
	var targets []string
	for _, l := range links {
		targets = append(targets, l.target+"@"+strconv.Itoa(l.line))
	}
	if want := []string{"a.md#x@1", "p.png@1", "https://example.com@2"}; !slices.Equal(targets, want) {
		t.Fatalf("links %q, want %q", targets, want)
	}
}

// repoRoot is the repository's root, two directories above this package.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// markdownPages is README.md and every Markdown page of docs/.
func markdownPages(t *testing.T, root string) []string {
	t.Helper()
	docs, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) == 0 {
		t.Fatal("docs/ holds no Markdown page")
	}
	return append([]string{filepath.Join(root, "README.md")}, docs...)
}

// mdLink is one inline link or image of a page.
type mdLink struct {
	target string
	line   int
}

var (
	fenceLine = regexp.MustCompile("^\\s*(```|~~~)")
	inlineRef = regexp.MustCompile(`!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)`)
	headingRe = regexp.MustCompile(`^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$`)
	linkText  = regexp.MustCompile(`!?\[([^\]]*)\]\([^)]*\)`)
)

// markdownLinks returns the inline links and images of text, outside fenced
// code blocks and code spans, with their line numbers.
func markdownLinks(text string) []mdLink {
	prose := withoutCodeSpans(withoutFences(text))
	var out []mdLink
	for _, m := range inlineRef.FindAllStringSubmatchIndex(prose, -1) {
		out = append(out, mdLink{target: prose[m[2]:m[3]], line: 1 + strings.Count(prose[:m[0]], "\n")})
	}
	return out
}

// withoutFences blanks the lines of fenced code blocks, keeping the line
// count.
func withoutFences(text string) string {
	lines := strings.Split(text, "\n")
	inFence := false
	for i, line := range lines {
		if fenceLine.MatchString(line) {
			inFence = !inFence
			lines[i] = ""
			continue
		}
		if inFence {
			lines[i] = ""
		}
	}
	return strings.Join(lines, "\n")
}

// withoutCodeSpans blanks code spans (a run of backticks up to the next run
// of the same length, across line breaks as CommonMark allows), keeping
// newlines so that line numbers stay right.
func withoutCodeSpans(text string) string {
	b := []byte(text)
	for i := 0; i < len(b); {
		if b[i] != '`' {
			i++
			continue
		}
		n := 0
		for i+n < len(b) && b[i+n] == '`' {
			n++
		}
		end := closingRun(b, i+n, n)
		if end < 0 {
			i += n
			continue
		}
		for j := i; j < end+n; j++ {
			if b[j] != '\n' {
				b[j] = ' '
			}
		}
		i = end + n
	}
	return string(b)
}

// closingRun returns where the next run of exactly n backticks at or after
// from starts, or -1.
func closingRun(b []byte, from, n int) int {
	for j := from; j < len(b); {
		if b[j] != '`' {
			j++
			continue
		}
		m := 0
		for j+m < len(b) && b[j+m] == '`' {
			m++
		}
		if m == n {
			return j
		}
		j += m
	}
	return -1
}

// headingAnchors returns the anchors GitHub gives the ATX headings of text,
// in order: the text lowercased, without what is neither a letter, a digit,
// a space, a hyphen nor an underscore, spaces made hyphens, and a repeated
// anchor suffixed -1, -2, ...
func headingAnchors(text string) []string {
	seen := map[string]int{}
	var out []string
	for _, line := range strings.Split(withoutFences(text), "\n") {
		m := headingRe.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		heading := linkText.ReplaceAllString(m[1], "$1")
		var b strings.Builder
		for _, r := range strings.ToLower(heading) {
			switch {
			case r == ' ':
				b.WriteByte('-')
			case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
				b.WriteRune(r)
			}
		}
		anchor := b.String()
		if n := seen[anchor]; n > 0 {
			seen[anchor]++
			anchor += "-" + strconv.Itoa(n)
		} else {
			seen[anchor] = 1
		}
		out = append(out, anchor)
	}
	return out
}

// isExternalLink reports a target with a URL scheme (https:, mailto:).
func isExternalLink(target string) bool {
	u, err := url.Parse(target)
	return err == nil && u.Scheme != ""
}

// relPath is path relative to root.
func relPath(t *testing.T, root, path string) string {
	t.Helper()
	rel, err := filepath.Rel(root, path)
	if err != nil {
		t.Fatal(err)
	}
	return rel
}
