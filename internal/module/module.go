// Package module is what a domain package declares to plug into yiwang: its routes, the part of
// the API document that describes them, the permissions it checks, the kinds of object it owns
// (for scope and the live stream), its periodic jobs and the event types it records. The wiring
// place (internal/app/modules.go) lists the modules and reads everything else from them.
package module

import (
	"fmt"
	"slices"

	"github.com/yiwang-gov/yiwang/internal/access"
	"github.com/yiwang-gov/yiwang/internal/httpx"
	"github.com/yiwang-gov/yiwang/internal/jobs"
)

// Module is one domain package as the platform sees it.
type Module struct {
	Name string
	// Register adds the module's handlers; nil for a module without routes.
	Register func(mux *httpx.Mux)
	// OpenAPI is the module's fragment of the API document (paths and the components only it
	// uses), kept beside its handlers; every /api/ route Register adds must be in it.
	OpenAPI []byte
	// Permissions are the permissions of the role table (package access) that this module checks;
	// each permission belongs to one module.
	Permissions []access.Permission
	// Kinds are the kinds of object the module owns: scope reads their relations, and the live
	// stream carries their changes to pages whose scope reaches them.
	Kinds []access.Kind
	// Jobs run periodically, each period once per cluster.
	Jobs []jobs.Job
	// Events are the event types the module records in the outbox ("case.dispatch").
	Events []string
	// Idempotent are the module's POST routes ("POST /api/v1/cases") that honour an
	// Idempotency-Key header (httpx.Idempotency): writes a phone may queue offline and send again.
	Idempotent []string
}

// Set is the modules of one yiwang, in the order their routes are mounted.
type Set []Module

// Check refuses a set in which two modules claim the same name, permission, kind, job or event
// type: each belongs to one module.
func (s Set) Check() error {
	owner := map[string]string{}
	claim := func(what, name, module string) error {
		key := what + " " + name
		if prev, ok := owner[key]; ok {
			return fmt.Errorf("modules %s and %s both declare %s", prev, module, key)
		}
		owner[key] = module
		return nil
	}
	for _, m := range s {
		if err := claim("module", m.Name, m.Name); err != nil {
			return err
		}
		for _, p := range m.Permissions {
			if err := claim("permission", string(p), m.Name); err != nil {
				return err
			}
		}
		for _, k := range m.Kinds {
			if err := claim("kind", k.Name, m.Name); err != nil {
				return err
			}
			if !slices.Contains(m.Permissions, k.Read) {
				return fmt.Errorf("module %s: kind %s is read with %s, which the module does not declare", m.Name, k.Name, k.Read)
			}
		}
		for _, j := range m.Jobs {
			if err := claim("job", j.Name, m.Name); err != nil {
				return err
			}
		}
		for _, e := range m.Events {
			if err := claim("event", e, m.Name); err != nil {
				return err
			}
		}
	}
	return nil
}

// Kinds lists every module's kinds of object.
func (s Set) Kinds() []access.Kind { return gather(s, func(m Module) []access.Kind { return m.Kinds }) }

// Jobs lists every module's jobs.
func (s Set) Jobs() []jobs.Job { return gather(s, func(m Module) []jobs.Job { return m.Jobs }) }

// Events lists every module's event types.
func (s Set) Events() []string { return gather(s, func(m Module) []string { return m.Events }) }

// Idempotent lists every module's routes that honour an Idempotency-Key.
func (s Set) Idempotent() []string {
	return gather(s, func(m Module) []string { return m.Idempotent })
}

// Permissions lists every module's permissions.
func (s Set) Permissions() []access.Permission {
	return gather(s, func(m Module) []access.Permission { return m.Permissions })
}

// OpenAPI lists the modules' API document fragments.
func (s Set) OpenAPI() [][]byte {
	return gather(s, func(m Module) [][]byte {
		if len(m.OpenAPI) == 0 {
			return nil
		}
		return [][]byte{m.OpenAPI}
	})
}

// gather joins what pick takes of each module, in module order.
func gather[T any](s Set, pick func(Module) []T) []T {
	var out []T
	for _, m := range s {
		out = append(out, pick(m)...)
	}
	return out
}
