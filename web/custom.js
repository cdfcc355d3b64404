/* KIM Suite: sao loads custom.js from its web root after tryton-sao.js
 * (tools/demo.sh, tools/serve.sh and `make sao` copy this file there). */
(function() {
    'use strict';
    // The product's name in the browser title and the navigation bar
    Sao.config.title = 'KIM Suite';
    document.title = Sao.config.title;

    // sao 8.0 rebuilds the options of a selection on every redraw and
    // selects the value one tick later; a button clicked in between read
    // every selection as empty and saved it so (issue 17, the intake lost
    // its indication answers). Until the redraw has selected the value,
    // only the user's own choice is taken from the widget.
    var Selection = Sao.View.Form.Selection.prototype;
    var display_update_selection = Selection.display_update_selection;
    Selection.display_update_selection = function() {
        this._kim_redrawing = true;
        var prm = display_update_selection.call(this);
        prm.always(() => {
            this._kim_redrawing = false;
        });
        return prm;
    };
    var focus_out = Selection.focus_out;
    Selection.focus_out = function() {
        this._kim_redrawing = false;  // a choice made by the user
        return focus_out.apply(this, arguments);
    };
    var set_value = Selection.set_value;
    Selection.set_value = function() {
        if (this._kim_redrawing) {
            return;
        }
        return set_value.apply(this, arguments);
    };

    // After a button or a wizard, sao reloads the record of the form: it
    // empties the record and reads it again. A tab closed (or another
    // record chosen) in between wrote the widgets, still showing the values
    // from before, into the empty record: "Datensatz geändert" asked to
    // save a record nobody had changed, with its old values (a contact
    // saved on a phone, the tab closed at once). A saved record's field
    // that is neither loaded nor modified has no value the user could have
    // typed (sao's Record.get_loaded): only the other fields are taken from
    // the widgets or compared with them (sao's Sao.View.Form.set_value and
    // modified with that test).
    var unloaded = function(record, name) {
        return (name in record.model.fields) && !record.get_loaded([name]);
    };
    var FormView = Sao.View.Form.prototype;
    FormView.set_value = function() {
        var record = this.record;
        if (!record) {
            return;
        }
        for (var name in this.widgets) {
            if ((name in record.model.fields) && !unloaded(record, name)) {
                var field = record.model.fields[name];
                for (const widget of this.widgets[name]) {
                    widget.set_value(record, field);
                }
            }
        }
    };
    Object.defineProperty(FormView, 'modified', {
        configurable: true,
        get: function() {
            var record = this.record;
            for (var name in this.widgets) {
                if (record && unloaded(record, name)) {
                    continue;
                }
                if (this.widgets[name].some((widget) => widget.modified)) {
                    return true;
                }
            }
            return false;
        },
    });

    // A button in a list row (e.g. "Unterzeichnen" in the assessments of a
    // case) ran only on the second click: sao 8.0's ButtonColumn lets the
    // first click through to select the row and drops the button (and the
    // click toggles the row, so a row already ticked was unselected). Here
    // the click makes its row the only selected and current one and runs
    // the button on its record at once.
    if (Sao.View.Tree && Sao.View.Tree.ButtonColumn) {
        var ButtonColumn = Sao.View.Tree.ButtonColumn.prototype;
        var button_clicked = ButtonColumn.button_clicked;
        ButtonColumn.button_clicked = function(event) {
            var record = event.data[0];
            var view = this.view;
            var row = (view.rows || []).find((r) => r.record == record);
            var selected = view.selected_records || [];
            if (row && ((record != view.screen.current_record)
                        || (selected.length != 1) || (selected[0] != record))) {
                event.stopImmediatePropagation();
                event.preventDefault();
                view.select_records(null, null);
                row.set_selection(true);
                row.selection_changed();
                if (record != view.screen.current_record) {
                    return false;
                }
            }
            return button_clicked.apply(this, arguments);
        };
    }

    // sao 8.0 marks the cells of the row being edited ("edited": overflow
    // visible, so that the completion list of a Many2One shows) through
    // their .treeview ancestor; a row made editable before it is in the
    // table (a new line, typed into at once) kept its cells clipped and the
    // completion list hidden under the row (issue 17, the Handlungsfeld of
    // a new assessment line). The row marks its own cells.
    if (Sao.View.Tree && Sao.View.Tree.RowEditable) {
        var RowEditable = Sao.View.Tree.RowEditable.prototype;
        var set_editable = RowEditable.set_editable;
        RowEditable.set_editable = function() {
            var result = set_editable.apply(this, arguments);
            this.tree.columns.forEach((column, i) => {
                var td = this._get_column_td(i);
                if (td.find('.widget-editable').data('widget')) {
                    td.addClass('edited');
                }
            });
            return result;
        };
        var unset_editable = RowEditable.unset_editable;
        RowEditable.unset_editable = function() {
            var result = unset_editable.apply(this, arguments);
            this.tree.columns.forEach((column, i) => {
                this._get_column_td(i).removeClass('edited');
            });
            return result;
        };
    }
}());
