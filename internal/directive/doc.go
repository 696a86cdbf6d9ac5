// Package directive holds directives (指令穿透): top-down instructions — a typhoon warning, a
// fire-safety sweep, a leader's instruction — issued to a set of grids, acknowledged grid by grid.
//
// A directive is shaped like an OASIS Common Alerting Protocol message, version 1.2 (CAP-v1.2,
// OASIS Standard, 1 July 2010, namespace urn:oasis:names:tc:emergency:cap:1.2,
// https://docs.oasis-open.org/emergency/cap/v1.2/CAP-v1.2.html). cap.go holds that part: the CAP
// enumerations, the Alert value a directive is rendered to and the spec's MUST rules (Validate);
// capxml.go the XML form served at GET /api/v1/directives/{id}/cap (WriteXML) and read back
// (ParseXML); cap_alert.go renders a stored directive as an Alert. Targeted grids travel as one
// <geocode> per grid with valueName "yiwang:grid".
//
// The rest, handlers → rules → storage: http.go (routes), issue.go (validation, target
// resolution in resolve.go on the Territory app gives it, superseding), ack.go (a grid's
// acknowledgement and action report, workflow.go's table), read.go (lists, coverage, targets),
// escalate.go (the directive.escalate job: community, then subdistrict, on the work calendar),
// store.go (SQL). Scope is declared once in ObjectKind (model.go): a directive is at its issuer's
// node and wherever one of its target grids is (participation.md §4).
package directive
