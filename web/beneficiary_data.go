package web

import (
	"passnum/store"
)

// The young person downloads everything held on them from /mon-pass: the
// same sections as the counsellor's, as a PDF or a JSON file. Their own
// reads are not staff reads, and are not logged.

func beneficiaryDataPages() []*page {
	return []*page{
		{Method: "GET", Path: "/mon-pass/donnees.json", Access: beneficiaryOnly, Handle: beneficiaryDataDownload},
		{Method: "GET", Path: "/mon-pass/donnees.pdf", Access: beneficiaryOnly, Handle: beneficiaryDataDownload},
	}
}

func beneficiaryDataDownload(q *request) error {
	var d store.PersonalData
	if err := q.view(func(tx *store.Tx) error {
		var err error
		d, err = tx.PersonalDataOf(q.ctx(), q.beneficiaryID, "")
		return err
	}); err != nil {
		return err
	}
	return personalDownload(q, d, downloadFormat(q))
}
