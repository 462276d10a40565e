package http

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// Problem is an RFC 9457 problem detail, with Astara's stable machine code,
// the ISO 20022 reason code where one applies, and the field at fault.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
	Code   string `json:"code"`
	Reason string `json:"reason,omitempty"`
	Field  string `json:"field,omitempty"`
}

func (p *Problem) Error() string { return p.Code + ": " + p.Detail }

// problemTypeBase prefixes every problem type; the page documents the code.
const problemTypeBase = "https://astara.dev/problems/"

func problem(status int, code, field, format string, args ...any) *Problem {
	return &Problem{
		Type:   problemTypeBase + code,
		Title:  http.StatusText(status),
		Status: status,
		Detail: fmt.Sprintf(format, args...),
		Code:   code,
		Field:  field,
	}
}

func writeProblem(w http.ResponseWriter, p *Problem) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(p.Status)
	json.NewEncoder(w).Encode(p)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.Encode(v)
}
