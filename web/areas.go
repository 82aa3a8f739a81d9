package web

// Each area of the site declares its pages in its own file; these are
// the areas not written yet.
func operatorPages() []*page    { return nil }
func funderPages() []*page      { return nil }
func distributorPages() []*page { return nil }
func placePages() []*page       { return nil }
func beneficiaryPages() []*page { return nil }
func applicationPages() []*page { return nil }
