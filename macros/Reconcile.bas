Attribute VB_Name = "Reconcile"
Option Explicit

' xl-upr: fill the status columns of the New sheet from the Prior and Treaty bodies sheets.
' Needs Python with xl-upr installed (pip install . in the xl-upr folder, or its wheel) and
' xlwings (the add-in, or the xlwings VBA module that workbooks/template.xlsm carries);
' `xl-upr excel-setup BOOK.xlsm` points the xlwings.conf sheet at that Python.
Sub Reconcile()
    RunPython "import xl_upr.macros as m; m.reconcile()"
End Sub
