/* Keyboard review of a scanned phiếu: 1 = Hài lòng, 2 = Không hài lòng, 0 = để trống for the item in focus
   (else the first one still to decide), then on to the next item a person decides; Enter saves the phiếu.
   Typing in a text field is left alone. Without JavaScript the radio buttons and the button do the same. */
(function () {
  "use strict";
  var form = document.querySelector("form.scan-review");
  if (!form) { return; }
  var items = Array.prototype.slice.call(form.querySelectorAll("fieldset.review-item"));

  function undecided(item) {
    return item.classList.contains("needs-person") && !item.querySelector("input[type=radio]:checked");
  }

  function focusItem(item) {
    var radio = item.querySelector("input[type=radio]:checked") || item.querySelector("input[type=radio]");
    radio.focus();
    item.scrollIntoView({block: "center"});
  }

  function currentIndex() {
    for (var i = 0; i < items.length; i++) {
      if (items[i].contains(document.activeElement)) { return i; }
    }
    for (var j = 0; j < items.length; j++) {
      if (undecided(items[j])) { return j; }
    }
    return -1;
  }

  function moveOn(from) {
    for (var i = from + 1; i < items.length; i++) {
      if (undecided(items[i])) { focusItem(items[i]); return; }
    }
    for (var j = 0; j < items.length; j++) {
      if (undecided(items[j])) { focusItem(items[j]); return; }
    }
    form.querySelector("button[type=submit]").focus();
  }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.altKey || event.metaKey || event.isComposing) { return; }
    if (target.tagName === "TEXTAREA" || target.tagName === "SELECT" ||
        (target.tagName === "INPUT" && target.type !== "radio")) { return; }
    if (target !== document.body && !form.contains(target)) { return; }
    if (event.key === "Enter") {
      event.preventDefault();
      if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
      return;
    }
    if (event.key !== "0" && event.key !== "1" && event.key !== "2") { return; }
    var index = currentIndex();
    if (index < 0) { return; }
    var radio = items[index].querySelector("input[type=radio][value='" + event.key + "']");
    if (!radio) { return; }
    event.preventDefault();
    radio.checked = true;
    moveOn(index);
  });

  var first = items.filter(undecided)[0];
  if (first) { focusItem(first); }
}());
