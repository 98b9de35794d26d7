// The double-submit guard of the join form (static/js/forms.js): a second submit of a form
// already on its way is stopped, and its buttons are disabled after the first.
import test from "node:test";
import assert from "node:assert/strict";

import { guardSubmit, reenableForms } from "../../static/js/forms.js";

class FakeButton {
  constructor() {
    this.disabled = false;
    this.attributes = {};
  }

  setAttribute(name, value) { this.attributes[name] = value; }

  removeAttribute(name) { delete this.attributes[name]; }
}

class FakeForm {
  constructor() {
    this.tagName = "FORM";
    this.dataset = {};
    this.buttons = [new FakeButton()];
  }

  querySelectorAll() { return this.buttons; }
}

function submit(form) {
  return {
    target: form, defaultPrevented: false,
    preventDefault() { this.defaultPrevented = true; },
  };
}

test("the first submit goes; a double tap's second submit is stopped", () => {
  const form = new FakeForm();
  const later = [];
  const first = submit(form);
  assert.equal(guardSubmit(first, (fn) => later.push(fn)), true);
  assert.equal(first.defaultPrevented, false);
  const second = submit(form);
  assert.equal(guardSubmit(second, (fn) => later.push(fn)), false);
  assert.equal(second.defaultPrevented, true);
});

test("the buttons are disabled after the submit's own tick (the clicked value is still sent)", () => {
  const form = new FakeForm();
  const later = [];
  guardSubmit(submit(form), (fn) => later.push(fn));
  assert.equal(form.buttons[0].disabled, false);
  later.forEach((fn) => fn());
  assert.equal(form.buttons[0].disabled, true);
  assert.equal(form.buttons[0].attributes["aria-disabled"], "true");
});

test("a submit a script already handled is left alone", () => {
  const form = new FakeForm();
  const event = submit(form);
  event.defaultPrevented = true;
  assert.equal(guardSubmit(event, () => {}), false);
  assert.equal(form.dataset.submitting, undefined);
});

test("back from the cache, the form can be sent again", () => {
  const form = new FakeForm();
  guardSubmit(submit(form), (fn) => fn());
  reenableForms({ querySelectorAll: () => [form] });
  assert.equal(form.dataset.submitting, undefined);
  assert.equal(form.buttons[0].disabled, false);
  assert.equal(guardSubmit(submit(form), () => {}), true);
});
