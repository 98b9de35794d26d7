// One dialog to move a person to another table (instead of a dropdown per person): opened from
// a person's name in the overview or the "without a table" list, or empty from the toolbar.

import { h, morph } from "../live/dom.js";
import { people, themeTitle } from "../live/organiser-overview.js";

export class MoveDialog {
  constructor(live, dialog) {
    this.live = live;
    this.dialog = dialog;
    this.person = dialog.querySelector("#move-person");
    this.table = dialog.querySelector("#move-table");
    this.status = dialog.querySelector("#move-status");
    this.person.addEventListener("change", () => this.fillTables());
  }

  /** Open for one person (id) or for anyone (null). */
  open(participantId) {
    const { t } = this.live;
    const everyone = Array.from(people(this.live.data).values())
      .sort((a, b) => (a.display_name || a.first_name).localeCompare(b.display_name || b.first_name));
    morph(this.person, [
      h("option", { value: "" }, t("choose_person")),
      everyone.map((p) => h("option", { value: String(p.id), selected: p.id === participantId },
        `${p.display_name || p.first_name} · ${p.table ? t("table_n", { n: p.table }) : t("no_table")}`)),
    ]);
    this.person.value = participantId ? String(participantId) : "";
    this.status.textContent = "";
    this.fillTables();
    if (!this.dialog.open) this.dialog.showModal();
    (participantId ? this.table : this.person).focus();
  }

  fillTables() {
    const { t } = this.live;
    const data = this.live.data;
    const who = people(data).get(Number(this.person.value));
    morph(this.table, [
      h("option", { value: "" }, t("choose_table")),
      (data.tables || []).map((table) => h("option", { value: String(table.number), disabled: who && who.table === table.number },
        `${t("table_theme", { n: table.number, theme: themeTitle(data, table.theme) })} · ${t.n((table.members || []).length, "people_one", "people_other")}`)),
    ]);
    this.table.value = "";
  }

  /** The chosen move, or null (and a message) when something is missing. */
  chosen() {
    const { t } = this.live;
    const participant = Number(this.person.value);
    const table = Number(this.table.value);
    if (!participant) {
      this.status.textContent = t("choose_person_first");
      this.person.focus();
      return null;
    }
    if (!table) {
      this.status.textContent = t("choose_table_first");
      this.table.focus();
      return null;
    }
    return { participant, table };
  }

  close() {
    if (this.dialog.open) this.dialog.close();
  }
}
