package xsd

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
)

// compilePatterns turns the pattern facets of one restriction step into a
// single Go regexp. Several patterns in the same step are alternatives (XML
// Schema Part 2, 4.3.4.3); XSD patterns are implicitly anchored at both ends,
// hence ^(?:...)$.
func compilePatterns(patterns []string) (*regexp.Regexp, error) {
	parts := make([]string, len(patterns))
	for i, p := range patterns {
		g, err := translatePattern(p)
		if err != nil {
			return nil, err
		}
		parts[i] = "(?:" + g + ")"
	}
	re, err := regexp.Compile("^(?:" + strings.Join(parts, "|") + ")$")
	if err != nil {
		return nil, fmt.Errorf("pattern %q: %v", strings.Join(patterns, " | "), err)
	}
	return re, nil
}

// translatePattern rewrites an XML Schema regular expression into RE2
// syntax. The two dialects agree on most of the syntax; the differences that
// matter are:
//   - ^ and $ are ordinary characters in XSD and must be escaped for Go;
//   - . excludes \n and \r in XSD, Go's only excludes \n;
//   - \d, \w, \s are Unicode-aware in XSD (Go's \d and \w are ASCII only);
//   - XSD has no (? groups, no anchors, no backreferences.
//
// Constructs that RE2 cannot express faithfully (character class
// subtraction, \i and \c, Unicode block escapes \p{IsX}) are refused with an
// error, so a schema using them fails at load instead of being half-checked.
func translatePattern(p string) (string, error) {
	var b strings.Builder
	rs := []rune(p)
	inClass := false
	fail := func(format string, args ...any) (string, error) {
		return "", fmt.Errorf("pattern %q: "+format, append([]any{p}, args...)...)
	}
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		switch {
		case c == '\\':
			if i+1 >= len(rs) {
				return fail("trailing backslash")
			}
			i++
			e := rs[i]
			switch e {
			case 'n', 'r', 't':
				b.WriteRune('\\')
				b.WriteRune(e)
			case '\\', '|', '.', '?', '*', '+', '(', ')', '{', '}', '-', '[', ']', '^', '$':
				b.WriteRune('\\')
				b.WriteRune(e)
			case 'd':
				b.WriteString(`\p{Nd}`)
			case 'D':
				b.WriteString(`\P{Nd}`)
			case 's':
				if inClass {
					b.WriteString(`\t\n\r `)
				} else {
					b.WriteString(`[\t\n\r ]`)
				}
			case 'S':
				if inClass {
					return fail(`\S inside a character class is not supported`)
				}
				b.WriteString(`[^\t\n\r ]`)
			case 'w':
				// XSD \w is "not punctuation, separator or other", i.e.
				// letters, marks, numbers and symbols.
				if inClass {
					b.WriteString(`\p{L}\p{M}\p{N}\p{S}`)
				} else {
					b.WriteString(`[\p{L}\p{M}\p{N}\p{S}]`)
				}
			case 'W':
				if inClass {
					b.WriteString(`\p{P}\p{Z}\p{C}`)
				} else {
					b.WriteString(`[\p{P}\p{Z}\p{C}]`)
				}
			case 'p', 'P':
				end := -1
				if i+1 < len(rs) && rs[i+1] == '{' {
					for j := i + 2; j < len(rs); j++ {
						if rs[j] == '}' {
							end = j
							break
						}
					}
				}
				if end < 0 {
					return fail(`\%c without {name}`, e)
				}
				name := string(rs[i+2 : end])
				if _, ok := unicode.Categories[name]; !ok {
					return fail(`unsupported property \%c{%s} (Unicode blocks are not supported)`, e, name)
				}
				fmt.Fprintf(&b, `\%c{%s}`, e, name)
				i = end
			default:
				return fail(`unsupported escape \%c`, e)
			}
		case inClass:
			switch c {
			case ']':
				inClass = false
				b.WriteRune(c)
			case '[':
				if i > 0 && rs[i-1] == '-' {
					return fail("character class subtraction is not supported")
				}
				b.WriteString(`\[`)
			case '^':
				b.WriteString(`\^`)
			default:
				b.WriteRune(c)
			}
		default:
			switch c {
			case '[':
				inClass = true
				b.WriteRune(c)
				if i+1 < len(rs) && rs[i+1] == '^' {
					b.WriteRune('^')
					i++
				}
			case '.':
				b.WriteString(`[^\n\r]`)
			case '^', '$':
				b.WriteRune('\\')
				b.WriteRune(c)
			case '(':
				if i+1 < len(rs) && rs[i+1] == '?' {
					return fail("(? is not XML Schema syntax")
				}
				// Non-capturing: XSD has no backreferences, and RE2 is
				// faster without captures.
				b.WriteString("(?:")
			default:
				b.WriteRune(c)
			}
		}
	}
	if inClass {
		return fail("unterminated character class")
	}
	return b.String(), nil
}
