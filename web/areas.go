package web

// Each area of the site declares its pages in its own file; these are
// the areas not written yet.
