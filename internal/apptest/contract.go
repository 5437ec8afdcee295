package apptest

import (
	"net/http"
	"testing"

	"github.com/engagehq/engage/internal/apicontract"
)

// DocumentPath is where Engage serves the OpenAPI document of its API.
const DocumentPath = apicontract.DocumentPath

// LoadContract reads the OpenAPI document h serves.
func LoadContract(h http.Handler) (*apicontract.Contract, error) { return apicontract.Load(h) }

// Enforce wraps h so that every API exchange is checked against the
// document h serves, failing t on a violation.
func Enforce(t testing.TB, h http.Handler) http.Handler { return apicontract.Enforce(t, h) }
