package main

import (
	"strings"

	"github.com/yiwang-gov/yiwang/internal/apperr"
	"github.com/yiwang-gov/yiwang/internal/i18n"
)

// describe renders a domain error for the terminal in Chinese, with its details.
func describe(e *apperr.Error) string {
	c := i18n.MustLoad()
	var b strings.Builder
	b.WriteString(c.T(i18n.ZH, e.Key, e.Args...))
	for _, d := range e.Details {
		b.WriteString("\n  - " + d.Message)
	}
	return b.String()
}
