package passnum

import _ "embed" // the register of processing, shipped in the binary

// RegisterOfProcessing is the register of the processing of personal data
// (GDPR article 30), docs/register-of-processing.md: the privacy notice
// links to it, served as it is written in the repository.
//
//go:embed docs/register-of-processing.md
var RegisterOfProcessing string
