"""The rules: NI 179's counting and target, service benchmarking, outcome plans and the
return calendar, as pure functions of DataFrames. They import nothing of sitegen but
values and errors, and know nothing of files, settings or HTML."""
