package http

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
)

// decodeBody reads a JSON object body strictly: a size limit, no unknown
// fields, nothing after the value. Batches use decodeBatch, which also
// refuses a repeated member.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) *Problem {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, RequestBodyBytesMax))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonProblem(err, "")
	}
	if _, err := dec.Token(); err != io.EOF {
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			return jsonProblem(err, "")
		}
		return problem(http.StatusBadRequest, "json_trailing_data", "", "the body holds more than one JSON value")
	}
	return nil
}

// fp names a parameter or a field of a request that is not a batch.
func fp(name string) fieldPath { return fieldPath{name: name} }
