// The coding page's progressive enhancement (issue 11). Without this script a coder ticks
// numbered passages. With it, selecting any words of the passages (by mouse or keyboard) fills
// the form's hidden `start` and `end` fields with character offsets into the chat's text, and
// the same form codes exactly that span. Each passage's text element carries `data-start`: the
// offset of its first character, counted in characters (code points) as the server counts.
(function () {
  'use strict';
  var form = document.getElementById('code-form');
  if (!form) { return; }
  var start = form.querySelector('input[name="start"]');
  var end = form.querySelector('input[name="end"]');
  var status = document.getElementById('selection-status');
  var clear = document.getElementById('selection-clear');
  var hints = document.querySelectorAll('.js-only');
  for (var i = 0; i < hints.length; i++) { hints[i].hidden = false; }
  status.hidden = false;
  status.textContent = 'No words selected: the ticked passages will be coded.';

  function passageOf(node) {
    var el = node.nodeType === 1 ? node : node.parentElement;
    return el ? el.closest('[data-start]') : null;
  }

  // The chat offset (in code points) of a boundary point inside a passage's text.
  function offsetOf(node, offset) {
    var el = passageOf(node);
    if (!el) { return null; }
    var before = document.createRange();
    before.selectNodeContents(el);
    before.setEnd(node, offset);
    return Number(el.getAttribute('data-start')) + Array.from(before.toString()).length;
  }

  function reset() {
    start.value = '';
    end.value = '';
    clear.hidden = true;
    status.textContent = 'No words selected: the ticked passages will be coded.';
  }

  document.addEventListener('selectionchange', function () {
    var selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) { return; }
    var range = selection.getRangeAt(0);
    if (!form.contains(range.commonAncestorContainer)) { return; }
    var a = offsetOf(range.startContainer, range.startOffset);
    var b = offsetOf(range.endContainer, range.endOffset);
    if (a === null || b === null || b <= a) { return; }
    start.value = String(a);
    end.value = String(b);
    clear.hidden = false;
    var words = range.toString().replace(/\s+/g, ' ').trim();
    if (words.length > 160) { words = words.slice(0, 157) + '…'; }
    status.textContent = 'Selected: “' + words + '”. The form will code exactly these words; ticked passages are ignored.';
  });

  clear.addEventListener('click', reset);
}());
