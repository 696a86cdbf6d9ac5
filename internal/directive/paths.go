package directive

import "strings"

// parentPath cuts the last node off a materialised path: a grid's path gives its community's,
// a community's its subdistrict's ("/350503/350503001/350503001001/" → "/350503/350503001/").
func parentPath(path string) string {
	trimmed := strings.TrimSuffix(path, "/")
	if i := strings.LastIndex(trimmed, "/"); i >= 0 {
		return trimmed[:i+1]
	}
	return "/"
}

// districtOf is the first node's code of a path ("/350503/…" → "350503").
func districtOf(path string) string {
	parts := strings.SplitN(strings.TrimPrefix(path, "/"), "/", 2)
	return parts[0]
}
