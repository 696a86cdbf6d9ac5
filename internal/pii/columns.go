package pii

// Column is a place where sealed values are stored, and the purpose whose data key seals what is
// written there. A rotation re-seals the values of its purpose's columns (and values of its
// purpose copied elsewhere: a case's sealed phone becomes an SMS delivery's recipient).
type Column struct {
	Purpose string
	Table   string
	Key     string // the primary key column (one column, text)
	Value   string
	Where   string // an extra SQL condition on the rows that hold sealed values, or ""
}

// Columns lists every column holding sealed personal data. A module that stores a new sealed
// column adds it here, or rotations would leave its values under retired keys.
var Columns = []Column{
	{Purpose: Users, Table: "users", Key: "id", Value: "phone_enc"},
	{Purpose: Users, Table: "user_mfa", Key: "user_id", Value: "secret_enc"}, // TOTP secrets
	{Purpose: Users, Table: "mfa_challenges", Key: "id", Value: "secret_enc", Where: "secret_enc <> ''"},
	{Purpose: Cases, Table: "cases", Key: "id", Value: "reporter_phone_enc"},
	{Purpose: Cases, Table: "cases", Key: "id", Value: "reporter_name_enc", Where: "reporter_name_enc <> ''"},
	{Purpose: Open311, Table: "open311_requests", Key: "case_id", Value: "contact_enc"},
	{Purpose: Notify, Table: "outbox_deliveries", Key: "id", Value: "recipient", Where: "channel = 'sms'"},
	// 1+N roster contacts (package participant), sealed with Vault.Seal (purpose general).
	{Purpose: General, Table: "participants", Key: "id", Value: "contact_phone_enc", Where: "contact_phone_enc <> ''"},
	{Purpose: General, Table: "participants", Key: "id", Value: "contact_name_enc", Where: "contact_name_enc <> ''"},
}
