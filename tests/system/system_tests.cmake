# Tier 3: the pairsim binary run on scenarios. Each test has a timeout; slow ones carry the label "slow".
find_package(Python3 REQUIRED COMPONENTS Interpreter)
set(pairsim_env "SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1")
set(sysdir ${CMAKE_CURRENT_SOURCE_DIR}/system)

# Every shipped scenario holds its expectations (exit 0).
file(GLOB shipped_scenarios CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/scenarios/*.scn)
foreach(scn ${shipped_scenarios})
  get_filename_component(name ${scn} NAME_WE)
  add_test(NAME "scenario: ${name}" COMMAND $<TARGET_FILE:pairsim> run ${scn})
  set_tests_properties("scenario: ${name}" PROPERTIES ENVIRONMENT "${pairsim_env}" TIMEOUT 120 LABELS system)
endforeach()

# Every malformed scenario is refused with exit 2 at the line and column its header names.
file(GLOB bad_scenarios CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/scenarios/bad/*.scn)
foreach(scn ${bad_scenarios})
  get_filename_component(name ${scn} NAME_WE)
  add_test(NAME "bad scenario: ${name}"
           COMMAND ${Python3_EXECUTABLE} ${sysdir}/check_error.py $<TARGET_FILE:pairsim> run ${scn})
  set_tests_properties("bad scenario: ${name}" PROPERTIES ENVIRONMENT "${pairsim_env}" TIMEOUT 30 LABELS system)
endforeach()

# Every malformed guest program is refused by the assembler with exit 2 where its header says.
file(GLOB bad_programs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/programs/bad/*.pasm)
foreach(prog ${bad_programs})
  get_filename_component(name ${prog} NAME_WE)
  add_test(NAME "bad program: ${name}"
           COMMAND ${Python3_EXECUTABLE} ${sysdir}/check_error.py $<TARGET_FILE:pairsim> asm ${prog})
  set_tests_properties("bad program: ${name}" PROPERTIES ENVIRONMENT "${pairsim_env}" TIMEOUT 30 LABELS system)
endforeach()

# Python-driven checks of the binary: summaries, traces, VCD, determinism, command line.
file(GLOB system_checks CONFIGURE_DEPENDS ${sysdir}/test_*.py)
foreach(check ${system_checks})
  get_filename_component(name ${check} NAME_WE)
  add_test(NAME "system: ${name}"
           COMMAND ${Python3_EXECUTABLE} ${check} $<TARGET_FILE:pairsim> ${PROJECT_SOURCE_DIR})
  set_tests_properties("system: ${name}" PROPERTIES ENVIRONMENT "${pairsim_env}" TIMEOUT 300 LABELS system)
endforeach()

# The promise over a space of faults (test_promise.py: a few thousand seeded runs, on every core) takes a
# few minutes: it is labelled slow, which also leaves it out of the sanitizer run, and has room to spare.
set_tests_properties("system: test_promise" PROPERTIES TIMEOUT 1200 PROCESSORS 2 LABELS "system;slow")

# A campaign as a Slurm job array on a single-node Slurm the test brings up (test_slurm.py): it needs root
# and Debian's slurmctld, slurmd, slurm-client and munge (tools/install-deps.sh), and fails without them. It
# uses the machine's cores; `ctest -L slurm` runs it alone. Labelled slow too: the sanitizer run leaves it
# out (it tests Slurm's side of a campaign; the campaign itself is tested there by test_campaign_merge).
set_tests_properties("system: test_slurm" PROPERTIES TIMEOUT 300 PROCESSORS 2 LABELS "system;slurm;slow")

# The report page in headless Chromium (test_html_report.py): it fails without Debian's chromium
# (tools/install-deps.sh). `ctest -L browser` runs it alone.
set_tests_properties("system: test_html_report" PROPERTIES TIMEOUT 180 LABELS "system;browser")

# The timeline file loaded by the trace engine of Chromium's DevTools Performance panel, in headless Chromium's
# bundled DevTools frontend (test_perfetto_devtools.py): it fails without Debian's chromium too.
set_tests_properties("system: test_perfetto_devtools" PROPERTIES TIMEOUT 180 LABELS "system;browser")

# The graded labs (test_labs.py) grade every lab's starter and solution, each at many failure moments: most of
# a minute on two cores. Labelled slow, so the sanitizer run leaves it out; the main run has it.
set_tests_properties("system: test_labs" PROPERTIES TIMEOUT 600 PROCESSORS 2 LABELS "system;slow")
