package directive

import "testing"

// CheckDocument is checkDocument for the API test (package directive_test), which serves the
// document through the whole application and checks it the way cap_test.go checks WriteXML.
func CheckDocument(t testing.TB, doc []byte) { checkDocument(t, doc) }
