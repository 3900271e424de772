{"instruction": "How do I export invoices to CSV?", "output": "Open Invoices, choose Export, pick CSV and the date range, then select Download."}
