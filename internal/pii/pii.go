// Package pii protects residents' personal data: phone numbers are stored encrypted (AES-256-GCM
// under envelope keys: vault.go, keyring.go, rotate.go), looked up by a keyed hash, and shown
// masked (138****1234) everywhere a role does not need more.
package pii

import (
	"regexp"
	"strings"
)

var mainlandMobile = regexp.MustCompile(`^1[3-9][0-9]{9}$`)

// NormalizePhone strips spaces, dashes and a +86/0086 prefix and checks the result is a
// mainland mobile number; ok is false otherwise.
func NormalizePhone(raw string) (string, bool) {
	s := strings.NewReplacer(" ", "", "-", "", "(", "", ")", "").Replace(strings.TrimSpace(raw))
	s = strings.TrimPrefix(s, "+86")
	s = strings.TrimPrefix(s, "0086")
	return s, mainlandMobile.MatchString(s)
}

var landline = regexp.MustCompile(`^0[1-9][0-9]{1,2}[0-9]{7,8}$`)

// NormalizeContact accepts what a hotline caller may give: a mainland mobile number, or a
// landline with its area code (0595-22345678); ok is false otherwise.
func NormalizeContact(raw string) (string, bool) {
	if p, ok := NormalizePhone(raw); ok {
		return p, true
	}
	s := strings.NewReplacer(" ", "", "-", "", "(", "", ")", "").Replace(strings.TrimSpace(raw))
	s = strings.TrimPrefix(s, "+86")
	return s, landline.MatchString(s)
}

// MaskPhone shows the first 3 and last 4 digits: 13812341234 → 138****1234.
func MaskPhone(phone string) string {
	if len(phone) < 8 {
		return strings.Repeat("*", len(phone))
	}
	return phone[:3] + strings.Repeat("*", len(phone)-7) + phone[len(phone)-4:]
}

// MaskName keeps the family name: 张三丰 → 张**.
func MaskName(name string) string {
	r := []rune(name)
	if len(r) <= 1 {
		return name
	}
	return string(r[0]) + strings.Repeat("*", len(r)-1)
}
