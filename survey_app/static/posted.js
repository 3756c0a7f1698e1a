/* Loaded only by a page that answers a form submission (a phiếu shown again with a message). It turns
   the page's history entry into a plain visit of the same address, so that Back after the next
   submission loads the phiếu afresh (which then says the code was used and shows the receipt number)
   instead of the browser's "confirm form resubmission" page. Without JavaScript nothing changes. */
if (window.history && window.history.replaceState) {
  window.history.replaceState(null, "", window.location.href);
}
