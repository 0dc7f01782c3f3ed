// Package messages translates the system's own texts, the error descriptions the API writes,
// from one message file per language (TAG.json beside this file, embedded): each maps an English
// message's format, as the code writes it ("there is no request with the id %q"), to the
// language's ("no existe ninguna solicitud con el id %q"). A language is added by adding a
// file, no code; a message a file lacks stays in English.
//
// The code keeps writing its messages with fmt verbs; a rendered message is matched against the
// English formats (each verb standing for any text), and the texts the verbs stood for are put
// into the translation in order, or by index where the language orders them otherwise
// ("%[2]s … %[1]s"). People's own words never pass through here.
package messages

import (
	"embed"
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

//go:embed *.json
var files embed.FS

// A catalog is one language's messages, compiled.
type catalog struct {
	entries []entry

	// memo keeps the texts translated so far (the same few summaries and titles come back in
	// every feed), at most memoSize of them.
	mu   sync.RWMutex
	memo map[memoKey]memoed
}

type memoKey struct {
	text     string
	sentence bool
}

type memoed struct {
	out string
	ok  bool
}

const memoSize = 4096

type entry struct {
	re          *regexp.Regexp // the English format, each verb a capture
	prefix      string         // the format's text before its first verb: a message must start with it
	translation string         // with its verbs
}

var (
	once     sync.Once
	catalogs map[string]*catalog
	loadErr  error
)

// verbRE finds fmt's verbs in a format (flags and width included, %% aside).
var verbRE = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z%]`)

func load() {
	catalogs = map[string]*catalog{}
	names, err := files.ReadDir(".")
	if err != nil {
		loadErr = err
		return
	}
	for _, f := range names {
		tag := strings.TrimSuffix(f.Name(), path.Ext(f.Name()))
		b, err := files.ReadFile(f.Name())
		if err != nil {
			loadErr = err
			return
		}
		c, err := compile(b)
		if err != nil {
			loadErr = fmt.Errorf("messages/%s: %w", f.Name(), err)
			return
		}
		catalogs[strings.ToLower(tag)] = c
	}
}

// compile reads a message file: an object of English format to translation. Each translation
// must use as many verbs as its format (or refer to them by index).
func compile(b []byte) (*catalog, error) {
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	// Longer formats first: the most specific wins where two could match.
	slices.SortFunc(keys, func(a, b string) int { return len(b) - len(a) })
	c := &catalog{memo: map[memoKey]memoed{}}
	for _, k := range keys {
		var re strings.Builder
		re.WriteString("^")
		last, n := 0, 0
		for _, loc := range verbRE.FindAllStringIndex(k, -1) {
			re.WriteString(regexp.QuoteMeta(k[last:loc[0]]))
			if k[loc[1]-1] == '%' {
				re.WriteString("%")
			} else {
				re.WriteString("(.*?)")
				n++
			}
			last = loc[1]
		}
		re.WriteString(regexp.QuoteMeta(k[last:]))
		re.WriteString("$")
		if used := verbCount(m[k]); used > n {
			return nil, fmt.Errorf("%q: the translation has %d verbs, the message %d", k, used, n)
		}
		prefix := k
		if loc := verbRE.FindStringIndex(k); loc != nil {
			prefix = k[:loc[0]]
		}
		c.entries = append(c.entries, entry{re: regexp.MustCompile(re.String()), prefix: strings.ReplaceAll(prefix, "%%", "%"), translation: m[k]})
	}
	return c, nil
}

// verbCount is the number of values a translation refers to (the highest index, or the verbs).
func verbCount(s string) int {
	n, top := 0, 0
	for _, v := range verbRE.FindAllStringSubmatch(s, -1) {
		if strings.HasSuffix(v[0], "%") {
			continue
		}
		n++
		if v[1] != "" {
			i, _ := strconv.Atoi(strings.Trim(v[1], "[]"))
			top = max(top, i)
		}
	}
	if top > 0 {
		return top
	}
	return n
}

// Languages are the tags there are message files for.
func Languages() []string {
	once.Do(load)
	tags := make([]string, 0, len(catalogs))
	for t := range catalogs {
		tags = append(tags, t)
	}
	slices.Sort(tags)
	return tags
}

// Err is the first message file that does not compile (a test keeps it nil).
func Err() error {
	once.Do(load)
	return loadErr
}

// Translate returns msg, an English message the system wrote, in the language of tag (or its
// shorter forms: "es-MX", then "es"); msg itself where there is no translation.
func Translate(tag, msg string) string {
	c := find(tag)
	if c == nil {
		return msg
	}
	t, _ := c.translate(msg, false)
	return t
}

// find is the catalog of tag or of its shorter forms, nil when there is none.
func find(tag string) *catalog {
	once.Do(load)
	for t := strings.ToLower(tag); t != ""; {
		if c := catalogs[t]; c != nil {
			return c
		}
		i := strings.LastIndexByte(t, '-')
		if i < 0 {
			break
		}
		t = t[:i]
	}
	return nil
}

// TranslateText returns text, sentences the system wrote one after the other ("Status changed
// to assigned. Assigned to Parks."), in the language of tag: each sentence translated as
// Translate does (sentences end at ". ", so no value in one may hold a ". ": "Assigned to St.
// Mary Works." stays in English). Unless every sentence has a translation, text stays as it
// is, whole: a summary half in one language and half in another is worse than one in English.
func TranslateText(tag, text string) string {
	c := find(tag)
	if c == nil || text == "" {
		return text
	}
	if out, ok := c.sentences(text, 0); ok {
		return strings.Join(out, " ")
	}
	return text
}

// sentences translates text as sentences (depth bounds the work on a text of many periods).
func (c *catalog) sentences(text string, depth int) ([]string, bool) {
	if text == "" {
		return nil, true
	}
	if depth > 16 {
		return nil, false
	}
	for end := 0; end < len(text); {
		i := strings.Index(text[end:], ". ")
		if i < 0 {
			end = len(text)
		} else {
			end += i + 1
		}
		if t, ok := c.translate(text[:end], true); ok {
			if rest, ok := c.sentences(strings.TrimPrefix(text[end:], " "), depth+1); ok {
				return append([]string{t}, rest...), true
			}
		}
	}
	return nil, false
}

// translate is one message in the catalog's language, and whether it has a translation; a
// sentence's values may not span a sentence's end.
func (c *catalog) translate(msg string, sentence bool) (string, bool) {
	key := memoKey{msg, sentence}
	c.mu.RLock()
	m, hit := c.memo[key]
	c.mu.RUnlock()
	if hit {
		return m.out, m.ok
	}
	out, ok := c.match(msg, sentence)
	c.mu.Lock()
	if len(c.memo) < memoSize {
		c.memo[key] = memoed{out, ok}
	}
	c.mu.Unlock()
	return out, ok
}

func (c *catalog) match(msg string, sentence bool) (string, bool) {
	for _, e := range c.entries {
		if !strings.HasPrefix(msg, e.prefix) {
			continue
		}
		m := e.re.FindStringSubmatch(msg)
		if m == nil || sentence && slices.ContainsFunc(m[1:], func(v string) bool { return strings.Contains(v, ". ") }) {
			continue
		}
		args := make([]any, len(m)-1)
		for i, s := range m[1:] {
			args[i] = verbatim(s)
		}
		return fmt.Sprintf(e.translation, args...), true
	}
	return msg, false
}

// verbatim is a text the English message held where its format had a verb, put back as it
// was whatever verb the translation gives it (%s, %q, %d: the text, not quoted again).
type verbatim string

func (v verbatim) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(v)) }
