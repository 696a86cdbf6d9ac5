// Package directive holds directives (指令穿透): top-down instructions — a typhoon warning, a
// fire-safety sweep, a leader's instruction — issued to a set of grids, acknowledged grid by grid.
//
// A directive is shaped like an OASIS Common Alerting Protocol message, version 1.2 (CAP-v1.2,
// OASIS Standard, 1 July 2010, namespace urn:oasis:names:tc:emergency:cap:1.2,
// https://docs.oasis-open.org/emergency/cap/v1.2/CAP-v1.2.html). cap.go holds that part: the CAP
// enumerations, the Alert value a directive is rendered to, the spec's MUST rules (Validate), and
// the XML form served at GET /api/v1/directives/{id}/cap (WriteXML) and read back (ParseXML).
// Targeted grids travel as one <geocode> per grid with valueName "yiwang:grid".
package directive
