package ledger

import (
	"regexp"
	"time"
)

// Kind is what an entry does with the seed fund (财政启动资金). The money flows district fund →
// zone available → zone committed (per project) → project spent (paid to a payee); each kind
// moves it one step, and a reversal undoes a posted entry (participation.md §3: corrections only
// by reversal, never by editing).
type Kind string

const (
	Allocate Kind = "allocate" // district fund → zone available (拨付到片区)
	Commit   Kind = "commit"   // zone available → committed to a project (项目承诺)
	Release  Kind = "release"  // committed → zone available (释放未用承诺)
	Disburse Kind = "disburse" // committed → project spent, paid to a payee (支付)
	Refund   Kind = "refund"   // project spent → committed (退回)
	Reversal Kind = "reversal" // the exact opposite postings of a posted entry (冲正)
)

// Kinds lists the kinds of entry.
var Kinds = []Kind{Allocate, Commit, Release, Disburse, Refund, Reversal}

// NeedsProject reports whether an entry of kind k names a project.
func (k Kind) NeedsProject() bool {
	return k == Commit || k == Release || k == Disburse || k == Refund
}

// Entry statuses: made (pending), then posted by a second finance officer, or rejected.
const (
	Pending  = "pending"
	Posted   = "posted"
	Rejected = "rejected"
)

// Payee kinds: an organisation is shown to the public by name; a person never is.
const (
	PayeeOrganisation = "organisation"
	PayeePerson       = "person"
)

// Account kinds. Only the district fund, the source of every allocation, may run negative: its
// balance is minus what the district has allocated.
const (
	DistrictFund = "district_fund"
	Available    = "available"
	Committed    = "committed"
	Spent        = "spent"
)

// Account is one account of the ledger.
type Account struct {
	Key       string `json:"account"`
	Kind      string `json:"kind"`
	ZoneCode  string `json:"zone_code,omitempty"`
	ProjectID string `json:"project_id,omitempty"`
}

// DistrictAccount is the district fund.
var DistrictAccount = Account{Key: "district", Kind: DistrictFund}

// ZoneAvailable is a zone's money not yet committed to a project.
func ZoneAvailable(zone string) Account {
	return Account{Key: "zone/" + zone + "/available", Kind: Available, ZoneCode: zone}
}

// ProjectCommitted is a zone's money committed to a project and not yet paid.
func ProjectCommitted(zone, project string) Account {
	return Account{Key: "zone/" + zone + "/committed/" + project, Kind: Committed, ZoneCode: zone, ProjectID: project}
}

// ProjectSpent is what a project has paid out.
func ProjectSpent(zone, project string) Account {
	return Account{Key: "zone/" + zone + "/spent/" + project, Kind: Spent, ZoneCode: zone, ProjectID: project}
}

// Posting is one line of an entry: an amount (fen) into (positive) or out of (negative) an
// account. An entry's postings sum to zero.
type Posting struct {
	Account
	AmountFen int64 `json:"amount_fen"`
}

// Postings are the lines of an entry of kind k (not a reversal): amount fen leaves one account and
// enters the next along the flow.
func Postings(k Kind, zone, project string, amount int64) []Posting {
	move := func(from, to Account) []Posting {
		return []Posting{{Account: from, AmountFen: -amount}, {Account: to, AmountFen: amount}}
	}
	switch k {
	case Allocate:
		return move(DistrictAccount, ZoneAvailable(zone))
	case Commit:
		return move(ZoneAvailable(zone), ProjectCommitted(zone, project))
	case Release:
		return move(ProjectCommitted(zone, project), ZoneAvailable(zone))
	case Disburse:
		return move(ProjectCommitted(zone, project), ProjectSpent(zone, project))
	case Refund:
		return move(ProjectSpent(zone, project), ProjectCommitted(zone, project))
	}
	return nil
}

// Reversed are the exact opposite postings of a posted entry's.
func Reversed(original []Posting) []Posting {
	out := make([]Posting, len(original))
	for i, p := range original {
		out[i] = Posting{Account: p.Account, AmountFen: -p.AmountFen}
	}
	return out
}

// Balanced reports whether postings sum to zero (and there are at least two).
func Balanced(ps []Posting) bool {
	var sum int64
	for _, p := range ps {
		sum += p.AmountFen
	}
	return len(ps) >= 2 && sum == 0
}

// MayGoNegative reports whether an account of kind may hold less than nothing.
func MayGoNegative(kind string) bool { return kind == DistrictFund }

// projectID is the shape of a project id until the project module checks ids itself
// (ProjectChecker): letters, digits and . _ : - , 1 to 64 of them (a UUID fits).
var projectID = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,64}$`)

// ValidProjectID reports whether id has the shape of a project id.
func ValidProjectID(id string) bool { return projectID.MatchString(id) }

// Entry is one ledger entry: made by one finance officer, posted (or rejected) by another.
type Entry struct {
	ID             string     `json:"id"`
	Kind           Kind       `json:"kind"`
	Status         string     `json:"status"`
	ZoneCode       string     `json:"zone_code"`
	ProjectID      string     `json:"project_id,omitempty"`
	AmountFen      int64      `json:"amount_fen"`
	IdempotencyKey string     `json:"idempotency_key"`
	Memo           string     `json:"memo"`
	PayeeName      string     `json:"payee_name,omitempty"`
	PayeeKind      string     `json:"payee_kind,omitempty"`
	Reverses       string     `json:"reverses,omitempty"`
	MakerID        string     `json:"maker_id"`
	MakerName      string     `json:"maker_name"`
	CreatedAt      time.Time  `json:"created_at"`
	CheckerID      string     `json:"checker_id,omitempty"`
	CheckerName    string     `json:"checker_name,omitempty"`
	DecidedAt      *time.Time `json:"decided_at,omitempty"`
	Reason         string     `json:"reason,omitempty"`
	Seq            *int64     `json:"seq,omitempty"`
	PrevHash       string     `json:"prev_hash,omitempty"`
	Hash           string     `json:"hash,omitempty"`
	Postings       []Posting  `json:"postings,omitempty"`
	Evidence       []Evidence `json:"evidence,omitempty"`
	path           string
	requestHash    string
}

// Evidence is a file attached to an entry (an invoice, a receipt, a decision), with the SHA-256
// the server computed of its bytes.
type Evidence struct {
	ID          string    `json:"id"`
	EntryID     string    `json:"entry_id"`
	Filename    string    `json:"filename"`
	ContentType string    `json:"content_type"`
	SizeBytes   int64     `json:"size_bytes"`
	SHA256      string    `json:"sha256"`
	UploadedBy  string    `json:"uploaded_by"`
	UploadedAt  time.Time `json:"uploaded_at"`
}

// Fund is a zone's seed fund: allocated to it, committed to its projects (paid out included),
// paid out, and available to commit. allocated = committed + available.
type Fund struct {
	ZoneCode     string `json:"zone_code"`
	AllocatedFen int64  `json:"allocated_fen"`
	CommittedFen int64  `json:"committed_fen"`
	DisbursedFen int64  `json:"disbursed_fen"`
	AvailableFen int64  `json:"available_fen"`
}

// Close is a periodic close: the balances of every account and the head of the hash chain at
// that moment, published so that a later change of history would show.
type Close struct {
	ID       string    `json:"id"`
	ClosedAt time.Time `json:"closed_at"`
	Seq      int64     `json:"seq"`
	Head     string    `json:"head"`
	Balances []Balance `json:"balances"`
}

// Balance is one account's balance.
type Balance struct {
	Account
	BalanceFen int64 `json:"balance_fen"`
}

// PublicFund is a zone's seed fund as anyone may read it: the figures and every posted entry,
// with its project, without personal data (a payee is named only when it is an organisation).
type PublicFund struct {
	Fund
	ZoneName string        `json:"zone_name"`
	Entries  []PublicEntry `json:"entries"`
}

// PublicEntry is a posted entry as the public sees it.
type PublicEntry struct {
	ID        string    `json:"id"`
	Kind      Kind      `json:"kind"`
	ProjectID string    `json:"project_id,omitempty"`
	AmountFen int64     `json:"amount_fen"`
	PayeeName string    `json:"payee_name,omitempty"`
	Reverses  string    `json:"reverses,omitempty"`
	PostedAt  time.Time `json:"posted_at"`
	Hash      string    `json:"hash"`
}
